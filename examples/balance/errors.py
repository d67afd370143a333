"""The account's rules, as errors with stable codes (seed 004 examples).

Estoria checks these when it applies an event; fabula checks them when it decides, so a
refused command writes nothing. The messages are the seed's.
"""

from __future__ import annotations

from fabula import DomainError

__all__ = ["AccountAlreadyCreated", "AccountAlreadyDeleted", "UserNotFound"]


class AccountAlreadyCreated(DomainError):
    """``CreateAccount`` reached an account that was created already."""

    code = "account_already_created"
    message = "account already created"


class AccountAlreadyDeleted(DomainError):
    """``DeleteAccount`` reached an account that was deleted already."""

    code = "account_already_deleted"
    message = "account already deleted"


class UserNotFound(DomainError):
    """``RemoveUser`` named a user the account does not have."""

    code = "user_not_found"

    def __init__(self, username: str) -> None:
        super().__init__(f"user {username} not found", params={"username": username})
