"""The bank account, reproducing seed 001's ``restful`` demo (``cqrs-es2``).

A class-style ``Aggregate`` (``BankAccount``) whose money events carry the resulting
balance, the ``BankAccountQuery`` read model, and a FastAPI app (``examples.bank.app``,
``fabula serve bank``) with the seed's four command routes and its query route.
"""

from examples.bank.aggregate import BANK_ACCOUNT_STREAM, BankAccount, stream_id, stream_of
from examples.bank.commands import (
    BankAccountCommand,
    DepositMoney,
    OpenBankAccount,
    WithdrawMoney,
    WriteCheck,
)
from examples.bank.errors import (
    AccountAlreadyOpen,
    AccountNotOpen,
    FundsNotAvailable,
    InvalidAmount,
)
from examples.bank.events import (
    EVENTS,
    BankAccountEvent,
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from examples.bank.query import BankAccountQuery

__all__ = [
    "BANK_ACCOUNT_STREAM",
    "EVENTS",
    "AccountAlreadyOpen",
    "AccountNotOpen",
    "BankAccount",
    "BankAccountCommand",
    "BankAccountEvent",
    "BankAccountOpened",
    "BankAccountQuery",
    "CustomerDepositedMoney",
    "CustomerWithdrewCash",
    "CustomerWroteCheck",
    "DepositMoney",
    "FundsNotAvailable",
    "InvalidAmount",
    "OpenBankAccount",
    "WithdrawMoney",
    "WriteCheck",
    "stream_id",
    "stream_of",
]
