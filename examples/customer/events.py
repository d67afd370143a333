"""The customer events and their stable type names (seed 001).

| class | type name | JSON payload |
|---|---|---|
| ``NameAdded`` | ``NameAdded`` | ``{"changed_name":"..."}`` |
| ``EmailUpdated`` | ``EmailUpdated`` | ``{"new_email":"..."}`` |
| ``AddressUpdated`` | ``AddressUpdated`` | ``{"new_address":"..."}`` |
"""

from __future__ import annotations

from dataclasses import dataclass

from fabula import event

__all__ = ["EVENTS", "AddressUpdated", "EmailUpdated", "NameAdded"]


@event("NameAdded")
@dataclass(frozen=True, slots=True)
class NameAdded:
    """The customer was given a name."""

    changed_name: str


@event("EmailUpdated")
@dataclass(frozen=True, slots=True)
class EmailUpdated:
    """The customer's email changed."""

    new_email: str


@event("AddressUpdated")
@dataclass(frozen=True, slots=True)
class AddressUpdated:
    """The customer has one more address."""

    new_address: str


EVENTS: tuple[type, ...] = (NameAdded, EmailUpdated, AddressUpdated)
"""Every customer event class, to register with a codec."""
