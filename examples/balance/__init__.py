"""Account balance, reproducing seed 004 (Estoria's CQRS page and examples).

A class-style ``Account`` aggregate (users, balance, creation and deletion), the
``AccountView`` summary folded on demand from a stream, and a FastAPI app
(``examples.balance.app``, ``fabula serve balance``) with the seed's 204 command route,
its on-demand summary, and the same summary from a dedicated read model.
"""

from examples.balance.aggregate import ACCOUNT_STREAM, Account, stream_id, stream_of
from examples.balance.commands import (
    AccountCommand,
    AddUser,
    CreateAccount,
    DeleteAccount,
    ModifyBalance,
    RemoveUser,
)
from examples.balance.errors import AccountAlreadyCreated, AccountAlreadyDeleted, UserNotFound
from examples.balance.events import (
    EVENTS,
    AccountCreated,
    AccountDeleted,
    AccountEvent,
    BalanceChanged,
    UserAdded,
    UserRemoved,
)
from examples.balance.view import AccountView, account_summary

__all__ = [
    "ACCOUNT_STREAM",
    "EVENTS",
    "Account",
    "AccountAlreadyCreated",
    "AccountAlreadyDeleted",
    "AccountCommand",
    "AccountCreated",
    "AccountDeleted",
    "AccountEvent",
    "AccountView",
    "AddUser",
    "BalanceChanged",
    "CreateAccount",
    "DeleteAccount",
    "ModifyBalance",
    "RemoveUser",
    "UserAdded",
    "UserNotFound",
    "UserRemoved",
    "account_summary",
    "stream_id",
    "stream_of",
]
