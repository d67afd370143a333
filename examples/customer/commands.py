"""The customer commands (seed 001, ``cqrs-es2`` ``example_impl``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AddAddress", "AddCustomerName", "UpdateEmail"]


@dataclass(frozen=True, slots=True)
class AddCustomerName:
    """Give the customer a name (allowed once)."""

    changed_name: str


@dataclass(frozen=True, slots=True)
class UpdateEmail:
    """Set the customer's email (always allowed)."""

    new_email: str


@dataclass(frozen=True, slots=True)
class AddAddress:
    """Add an address the customer does not have yet."""

    new_address: str
