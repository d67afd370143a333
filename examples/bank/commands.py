"""The bank account commands (seed 001 ``restful`` demo).

Every command names its account (``account_id``) so that a ``Flow`` routes it to the
stream ``bank_account-<id>``; the seed passes that id in the URL instead. Amounts are
``Decimal``: money is never a float here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "BankAccountCommand",
    "DepositMoney",
    "OpenBankAccount",
    "WithdrawMoney",
    "WriteCheck",
]


@dataclass(frozen=True, slots=True)
class OpenBankAccount:
    """Open the account (once)."""

    account_id: str


@dataclass(frozen=True, slots=True)
class DepositMoney:
    """Put money into an open account."""

    account_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class WithdrawMoney:
    """Take cash out, if the balance covers it."""

    account_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class WriteCheck:
    """Pay by check, if the balance covers it."""

    account_id: str
    check_number: str
    amount: Decimal


BankAccountCommand: TypeAlias = OpenBankAccount | DepositMoney | WithdrawMoney | WriteCheck
"""Any bank account command."""
