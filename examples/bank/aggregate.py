"""The bank account aggregate, class style (seed 001 ``restful`` demo).

Rules:
1. An account opens once (``AccountAlreadyOpen``).
2. Money moves only on an open account (``AccountNotOpen``: fabula's addition, the seed
   lets a deposit reach an account that was never opened) and only in positive amounts
   (``InvalidAmount``, also fabula's).
3. A withdrawal or check that would make the balance negative is refused
   (``FundsNotAvailable``).
4. Money events carry the resulting balance, and ``evolve`` takes the balance from them.
"""

from __future__ import annotations

from decimal import Decimal

from examples.bank.commands import DepositMoney, OpenBankAccount, WithdrawMoney, WriteCheck
from examples.bank.errors import (
    AccountAlreadyOpen,
    AccountNotOpen,
    FundsNotAvailable,
    InvalidAmount,
)
from examples.bank.events import (
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from fabula import Aggregate, decides, evolves

__all__ = ["BANK_ACCOUNT_STREAM", "BankAccount", "stream_id", "stream_of"]

BANK_ACCOUNT_STREAM = "bank_account"
"""The stream category (and aggregate type) of bank accounts."""


class BankAccount(Aggregate, name=BANK_ACCOUNT_STREAM):
    """A bank account: its id (empty until opened) and its balance."""

    account_id: str = ""
    balance: Decimal = Decimal(0)

    @property
    def is_open(self) -> bool:
        """Whether the account was opened."""
        return bool(self.account_id)

    @decides
    def open(self, command: OpenBankAccount) -> BankAccountOpened:
        """Open the account, unless it is open already."""
        if self.is_open:
            raise AccountAlreadyOpen
        return BankAccountOpened(command.account_id)

    @decides
    def deposit(self, command: DepositMoney) -> CustomerDepositedMoney:
        """Add the amount to the balance."""
        self._check_movable(command.amount)
        return CustomerDepositedMoney(command.amount, self.balance + command.amount)

    @decides
    def withdraw(self, command: WithdrawMoney) -> CustomerWithdrewCash:
        """Take the amount out, if the balance covers it."""
        return CustomerWithdrewCash(command.amount, self._balance_after_paying(command.amount))

    @decides
    def write_check(self, command: WriteCheck) -> CustomerWroteCheck:
        """Pay the check, if the balance covers it."""
        balance = self._balance_after_paying(command.amount)
        return CustomerWroteCheck(command.check_number, command.amount, balance)

    def _check_movable(self, amount: Decimal) -> None:
        if not self.is_open:
            raise AccountNotOpen
        if amount <= 0:
            raise InvalidAmount(params={"amount": str(amount)})

    def _balance_after_paying(self, amount: Decimal) -> Decimal:
        self._check_movable(amount)
        balance = self.balance - amount
        if balance < 0:
            raise FundsNotAvailable(params={"balance": str(self.balance), "amount": str(amount)})
        return balance

    @evolves
    def opened(self, event: BankAccountOpened) -> None:
        """Take the account id: the account is open."""
        self.account_id = event.account_id

    @evolves
    def deposited(self, event: CustomerDepositedMoney) -> None:
        """Take the balance after the deposit."""
        self.balance = event.balance

    @evolves
    def withdrew(self, event: CustomerWithdrewCash) -> None:
        """Take the balance after the withdrawal."""
        self.balance = event.balance

    @evolves
    def wrote_check(self, event: CustomerWroteCheck) -> None:
        """Take the balance after the check."""
        self.balance = event.balance


def stream_id(account_id: str) -> str:
    """Return the stream of an account: ``bank_account-<id>``."""
    return f"{BANK_ACCOUNT_STREAM}-{account_id}"


def stream_of(command: OpenBankAccount | DepositMoney | WithdrawMoney | WriteCheck) -> str:
    """Return the stream a command goes to (the ``stream_id`` a ``Flow`` route needs)."""
    return stream_id(command.account_id)
