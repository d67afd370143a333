"""The bank account events and their stable type names (seed 001).

As in the seed, every money event carries the **resulting balance**. Amounts are
``Decimal`` values, stored as JSON strings so no cent is ever rounded:

| class and type name | JSON payload |
|---|---|
| ``BankAccountOpened`` | ``{"account_id":"..."}`` |
| ``CustomerDepositedMoney`` | ``{"amount":"200","balance":"200"}`` |
| ``CustomerWithdrewCash`` | ``{"amount":"100","balance":"100"}`` |
| ``CustomerWroteCheck`` | ``{"check_number":"1170","amount":"100","balance":"100"}`` |
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from fabula import event

__all__ = [
    "EVENTS",
    "BankAccountEvent",
    "BankAccountOpened",
    "CustomerDepositedMoney",
    "CustomerWithdrewCash",
    "CustomerWroteCheck",
]


@event("BankAccountOpened")
@dataclass(frozen=True, slots=True)
class BankAccountOpened:
    """The account was opened."""

    account_id: str


@event("CustomerDepositedMoney")
@dataclass(frozen=True, slots=True)
class CustomerDepositedMoney:
    """Money came in; ``balance`` is the balance after it."""

    amount: Decimal
    balance: Decimal


@event("CustomerWithdrewCash")
@dataclass(frozen=True, slots=True)
class CustomerWithdrewCash:
    """Cash went out; ``balance`` is the balance after it."""

    amount: Decimal
    balance: Decimal


@event("CustomerWroteCheck")
@dataclass(frozen=True, slots=True)
class CustomerWroteCheck:
    """A check was written; ``balance`` is the balance after it."""

    check_number: str
    amount: Decimal
    balance: Decimal


BankAccountEvent: TypeAlias = (
    BankAccountOpened | CustomerDepositedMoney | CustomerWithdrewCash | CustomerWroteCheck
)
"""Any bank account event."""

EVENTS: tuple[type, ...] = (
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
"""Every bank account event class, to register with a codec."""
