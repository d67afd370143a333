"""``StreamTombstone``: the event that ends a deleted stream (ADR 0015).

``store.delete_stream`` appends it (stored type ``"$tombstone"``, a name ``@event`` refuses,
so no user event can take it). The read side delivers it like any event, to the consumers
that handle it: a projection declares ``@projection.on(StreamTombstone)`` to drop a deleted
stream's rows; one that does not never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fabula.domain._event import _ATTRIBUTE, EventType

__all__ = ["TOMBSTONE_NAME", "StreamTombstone"]

TOMBSTONE_NAME = "$tombstone"
"""The stored type of a tombstone (``fabula.store.TOMBSTONE_TYPE`` is the same text)."""


@dataclass(frozen=True, slots=True)
class StreamTombstone:
    """A stream was deleted: its ``Recorded`` envelope names the stream and the version."""


setattr(StreamTombstone, _ATTRIBUTE, EventType(TOMBSTONE_NAME, 1))
