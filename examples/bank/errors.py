"""The bank account's rules, as errors with stable codes (seed 001).

The seed reports each as a ``UserError`` carrying only its message; here each is its own
``DomainError`` with a code and the seed's message word for word. ``AccountNotOpen`` and
``InvalidAmount`` are fabula's additions (the seed accepts a deposit to an account that
was never opened, and amounts of zero or less).
"""

from __future__ import annotations

from fabula import DomainError

__all__ = ["AccountAlreadyOpen", "AccountNotOpen", "FundsNotAvailable", "InvalidAmount"]


class AccountAlreadyOpen(DomainError):
    """``OpenBankAccount`` reached an account that is open already."""

    code = "account_already_open"
    message = "bank account is already open"


class AccountNotOpen(DomainError):
    """Money was moved on an account that was never opened (fabula's addition)."""

    code = "account_not_open"
    message = "bank account is not open"


class FundsNotAvailable(DomainError):
    """A withdrawal or check would make the balance negative."""

    code = "funds_not_available"
    message = "funds not available"


class InvalidAmount(DomainError):
    """An amount of zero or less (fabula's addition)."""

    code = "invalid_amount"
    message = "amount must be positive"
