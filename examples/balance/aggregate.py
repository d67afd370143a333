"""The account aggregate, class style (seed 004 and Estoria's examples).

Rules:
1. An account is created once (``AccountCreated``) and deleted once (``AccountDeleted``).
2. Removing a user the account does not have is refused (``UserNotFound``).
3. The balance may go negative: ``ModifyBalance`` is never refused, even on an account
   that was never created (the seed's HTTP handler loads whatever is there and appends).
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from uuid import UUID

from examples.balance.commands import (
    AddUser,
    CreateAccount,
    DeleteAccount,
    ModifyBalance,
    RemoveUser,
)
from examples.balance.errors import AccountAlreadyCreated, AccountAlreadyDeleted, UserNotFound
from examples.balance.events import (
    AccountCreated,
    AccountDeleted,
    BalanceChanged,
    UserAdded,
    UserRemoved,
)
from fabula import Aggregate, decides, evolves

__all__ = ["ACCOUNT_STREAM", "Account", "stream_id", "stream_of"]

ACCOUNT_STREAM = "account"
"""The stream category of accounts (the seed writes ``account_<uuid>``; fabula's categories
end at the first ``-``, so the stream is ``account-<uuid>``)."""


class Account(Aggregate, name=ACCOUNT_STREAM):
    """An account: its users, its balance, and when it was created and deleted."""

    users: list[str] = field(default_factory=list)
    balance: int = 0
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    @decides
    def create(self, command: CreateAccount) -> AccountCreated:
        """Create the account, unless it exists."""
        if self.created_at is not None:
            raise AccountAlreadyCreated
        return AccountCreated(command.username, command.created_at)

    @decides
    def delete(self, command: DeleteAccount) -> AccountDeleted:
        """Delete the account, unless it is deleted."""
        if self.deleted_at is not None:
            raise AccountAlreadyDeleted
        return AccountDeleted(command.reason, command.deleted_at)

    @decides
    def add_user(self, command: AddUser) -> UserAdded:
        """Give a user access."""
        return UserAdded(command.username, command.added_at)

    @decides
    def remove_user(self, command: RemoveUser) -> UserRemoved:
        """Take a user's access away, if they have it."""
        if command.username not in self.users:
            raise UserNotFound(command.username)
        return UserRemoved(command.username, command.removed_at)

    @decides
    def modify_balance(self, command: ModifyBalance) -> BalanceChanged:
        """Move the balance by any amount."""
        return BalanceChanged(command.amount, command.changed_at)

    @evolves
    def created(self, event: AccountCreated) -> None:
        """Note the creation and the first user."""
        self.created_at = event.created_at
        self.users.append(event.username)

    @evolves
    def deleted(self, event: AccountDeleted) -> None:
        """Note the deletion."""
        self.deleted_at = event.deleted_at

    @evolves
    def user_added(self, event: UserAdded) -> None:
        """Add the user."""
        self.users.append(event.username)

    @evolves
    def user_removed(self, event: UserRemoved) -> None:
        """Remove the user."""
        self.users.remove(event.username)

    @evolves
    def balance_changed(self, event: BalanceChanged) -> None:
        """Move the balance."""
        self.balance += event.amount


def stream_id(account_id: UUID) -> str:
    """Return the stream of an account: ``account-<uuid>``."""
    return f"{ACCOUNT_STREAM}-{account_id}"


def stream_of(
    command: CreateAccount | DeleteAccount | AddUser | RemoveUser | ModifyBalance,
) -> str:
    """Return the stream a command goes to (the ``stream_id`` a ``Flow`` route needs)."""
    return stream_id(command.account_id)
