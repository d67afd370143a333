"""The account commands (seed 004).

``ModifyBalance`` is the seed's ``ModifyBalanceCommand``; the others come from Estoria's
examples repository. Times are the caller's (``datetime`` with a timezone): the aggregate
never reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias
from uuid import UUID

__all__ = [
    "AccountCommand",
    "AddUser",
    "CreateAccount",
    "DeleteAccount",
    "ModifyBalance",
    "RemoveUser",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateAccount:
    """Create the account for its first user."""

    account_id: UUID
    username: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteAccount:
    """Delete the account, saying why."""

    account_id: UUID
    reason: str
    deleted_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AddUser:
    """Give one more user access to the account."""

    account_id: UUID
    username: str
    added_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveUser:
    """Take a user's access away."""

    account_id: UUID
    username: str
    removed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ModifyBalance:
    """Add ``amount`` (negative: subtract) to the balance; any amount goes, as in the seed."""

    account_id: UUID
    amount: int
    changed_at: datetime


AccountCommand: TypeAlias = CreateAccount | DeleteAccount | AddUser | RemoveUser | ModifyBalance
"""Any account command."""
