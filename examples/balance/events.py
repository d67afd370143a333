"""The account events and their stable type names (seed 004).

The type names are Estoria's; the seed's ``balancechanged`` carries only the amount, its
examples repository adds the time, and so does fabula:

| class | type name | JSON payload |
|---|---|---|
| ``AccountCreated`` | ``accountcreated`` | ``{"username":"...","created_at":"<RFC 3339>"}`` |
| ``AccountDeleted`` | ``accountdeleted`` | ``{"reason":"...","deleted_at":"<RFC 3339>"}`` |
| ``UserAdded`` | ``useradded`` | ``{"username":"...","added_at":"<RFC 3339>"}`` |
| ``UserRemoved`` | ``userremoved`` | ``{"username":"...","removed_at":"<RFC 3339>"}`` |
| ``BalanceChanged`` | ``balancechanged`` | ``{"amount":-500,"changed_at":"<RFC 3339>"}`` |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from fabula import event

__all__ = [
    "EVENTS",
    "AccountCreated",
    "AccountDeleted",
    "AccountEvent",
    "BalanceChanged",
    "UserAdded",
    "UserRemoved",
]


@event("accountcreated")
@dataclass(frozen=True, slots=True)
class AccountCreated:
    """The account was created for its first user."""

    username: str
    created_at: datetime


@event("accountdeleted")
@dataclass(frozen=True, slots=True)
class AccountDeleted:
    """The account was deleted."""

    reason: str
    deleted_at: datetime


@event("useradded")
@dataclass(frozen=True, slots=True)
class UserAdded:
    """A user was given access."""

    username: str
    added_at: datetime


@event("userremoved")
@dataclass(frozen=True, slots=True)
class UserRemoved:
    """A user's access was taken away."""

    username: str
    removed_at: datetime


@event("balancechanged")
@dataclass(frozen=True, slots=True)
class BalanceChanged:
    """The balance moved by ``amount`` (negative: down)."""

    amount: int
    changed_at: datetime


AccountEvent: TypeAlias = AccountCreated | AccountDeleted | UserAdded | UserRemoved | BalanceChanged
"""Any account event."""

EVENTS: tuple[type, ...] = (AccountCreated, AccountDeleted, UserAdded, UserRemoved, BalanceChanged)
"""Every account event class, to register with a codec."""
