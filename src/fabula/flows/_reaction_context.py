"""``ReactionContext``: what a reaction handler knows about one delivery.

Its ``key`` and ``command_id()`` are derived from the reaction's name and the event's id,
so they are the same on every redelivery: dispatch with ``command_id=context.command_id()``
and the flow's idempotency guard turns a redelivered command into a no-op.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

__all__ = ["ReactionContext"]

_NAMESPACE: Final = uuid.UUID("5b0f7c1e-3a52-4a8e-9a35-7f1d5d8f0a11")


@dataclass(frozen=True, slots=True)
class ReactionContext:
    """What a reaction handler knows about one delivery, stable across redeliveries."""

    name: str
    event_id: uuid.UUID

    @property
    def key(self) -> uuid.UUID:
        """An idempotency key for this reaction to this event (the same on redelivery)."""
        return uuid.uuid5(_NAMESPACE, f"{self.name}:{self.event_id}")

    def command_id(self, index: int = 0, /) -> uuid.UUID:
        """The id of the ``index``-th command this delivery dispatches (stable)."""
        return uuid.uuid5(_NAMESPACE, f"{self.name}:{self.event_id}:{index}")
