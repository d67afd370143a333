"""How the customer's stored history evolved, and the registry that reads it today.

Early versions stored an email change under the type name ``EmailChanged`` (same payload,
``{"new_email": "..."}``); the type is now ``EmailUpdated``. The rename maps the old name
onto the class: old events decode as ``EmailUpdated`` in loads, projections and
``fabula check URL --app examples.customer.evolution:registry``.
"""

from __future__ import annotations

from examples.customer.events import EVENTS, EmailUpdated
from fabula.codec import EventRegistry

__all__ = ["registry"]


def registry() -> EventRegistry:
    """The customer's event registry, reading every name stored so far."""
    codec = EventRegistry(EVENTS)
    codec.rename("EmailChanged", to=EmailUpdated)
    return codec
