"""``BankAccountQuery``: the account as clients read it (seed 001).

A read model written as an ``Aggregate`` with only ``@evolves`` methods: it folds the
account's events and decides nothing. A check event appends its number to
``written_checks``. The app keeps one per account in a projection (``app.py``).
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from typing import ClassVar

from examples.bank.events import (
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from fabula import Aggregate, evolves

__all__ = ["BankAccountQuery"]


class BankAccountQuery(Aggregate, name="bank_account_query"):
    """An account's id, balance and the numbers of the checks written on it."""

    query_type: ClassVar[str] = "bank_account_query"
    """The seed's stable name of this query."""

    account_id: str | None = None
    balance: Decimal = Decimal(0)
    written_checks: list[str] = field(default_factory=list)

    @evolves
    def opened(self, event: BankAccountOpened) -> None:
        """Take the account id."""
        self.account_id = event.account_id

    @evolves
    def deposited(self, event: CustomerDepositedMoney) -> None:
        """Take the balance."""
        self.balance = event.balance

    @evolves
    def withdrew(self, event: CustomerWithdrewCash) -> None:
        """Take the balance."""
        self.balance = event.balance

    @evolves
    def wrote_check(self, event: CustomerWroteCheck) -> None:
        """Take the balance and note the check."""
        self.balance = event.balance
        self.written_checks.append(event.check_number)
