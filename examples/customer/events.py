"""The customer events and their stable type names (seed 001).

| class | type name | JSON payload |
|---|---|---|
| ``NameAdded`` | ``NameAdded`` | ``{"changed_name":"..."}`` |
| ``EmailUpdated`` | ``EmailUpdated`` | ``{"new_email":"..."}`` |
| ``AddressUpdated`` | ``AddressUpdated`` | ``{"new_address":"..."}`` |

Names, emails and addresses are personal data of the customer: each is marked
``Personal(subject=STREAM)``, so it is stored sealed with the key of the customer's
stream (``customer-<id>``) and reads as ``[redacted]`` once that customer is forgotten
(``examples.customer.privacy``). The JSON above is the payload as encoded; in the
store each of these values is a ``{"fabula:sealed": ..., "subject": ...}`` object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fabula import STREAM, Personal, event

__all__ = ["EVENTS", "AddressUpdated", "EmailUpdated", "NameAdded"]


@event("NameAdded")
@dataclass(frozen=True, slots=True)
class NameAdded:
    """The customer was given a name."""

    changed_name: Annotated[str, Personal(subject=STREAM)]


@event("EmailUpdated")
@dataclass(frozen=True, slots=True)
class EmailUpdated:
    """The customer's email changed."""

    new_email: Annotated[str, Personal(subject=STREAM)]


@event("AddressUpdated")
@dataclass(frozen=True, slots=True)
class AddressUpdated:
    """The customer has one more address."""

    new_address: Annotated[str, Personal(subject=STREAM)]


EVENTS: tuple[type, ...] = (NameAdded, EmailUpdated, AddressUpdated)
"""Every customer event class, to register with a codec."""
