"""Records: what crosses the store boundary. Plain values; payloads are JSON text.

Backends never see event classes: they store and return these records, and the codec
(``fabula.codec``) turns them into typed events. The two per-event records are frozen
msgspec Structs: a catch-up builds one per event, and a Struct is built about ten times
faster than a frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeAlias
from uuid import UUID

import msgspec

__all__ = [
    "STREAM_STATUSES",
    "AppendResult",
    "Direction",
    "NewEvent",
    "SnapshotRecord",
    "StoredEvent",
    "StreamInfo",
    "StreamState",
    "StreamStatus",
    "category_of",
    "stored_events",
]

Direction: TypeAlias = Literal["forwards", "backwards"]


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event to append: its id, stable type, schema version and JSON payload."""

    event_id: UUID
    type: str
    data: str
    schema_version: int = 1
    metadata: str = "{}"
    causation_id: UUID | None = None
    correlation_id: UUID | None = None


class StoredEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event as the store holds it, with its place in its stream and in the global log."""

    position: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    data: str
    schema_version: int
    metadata: str
    causation_id: UUID | None
    correlation_id: UUID | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: the stream's new version and the global positions it wrote.

    ``positions`` is empty when nothing was appended. ``deduplicated`` is true when the
    events had been stored already by an earlier identical append, which is returned.
    """

    stream_id: str
    version: int
    positions: tuple[int, ...]
    deduplicated: bool = False

    @property
    def position(self) -> int | None:
        """The last position written (for read-your-writes), or ``None`` if none was."""
        return self.positions[-1] if self.positions else None


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """A stream and its current version."""

    stream_id: str
    version: int


StreamStatus: TypeAlias = Literal["live", "archived", "deleted"]
"""Where a stream is in its lifecycle (ADR 0015): ``list_streams(status=...)`` picks one."""

STREAM_STATUSES: tuple[StreamStatus, ...] = ("live", "archived", "deleted")


@dataclass(frozen=True, slots=True)
class StreamState:
    """A stream's lifecycle: its version, status, and first readable version."""

    stream_id: str
    version: int
    status: StreamStatus = "live"
    truncated_before: int = 1
    """Versions below this one were truncated away (1: nothing was)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotRecord:
    """A serialized state of a stream at a version."""

    stream_id: str
    version: int
    type: str
    data: str
    schema_version: int = 1


def stored_events(
    stream_id: str,
    events: Sequence[NewEvent],
    *,
    last_position: int,
    last_version: int,
    recorded_at: datetime,
) -> list[StoredEvent]:
    """The records ``events`` become when appended after ``last_position`` and ``last_version``.

    For backends that number events themselves (memory, SQLite): positions and versions
    follow on one by one.
    """
    return [
        StoredEvent(
            position=last_position + i,
            stream_id=stream_id,
            version=last_version + i,
            event_id=e.event_id,
            type=e.type,
            data=e.data,
            schema_version=e.schema_version,
            metadata=e.metadata,
            causation_id=e.causation_id,
            correlation_id=e.correlation_id,
            recorded_at=recorded_at,
        )
        for i, e in enumerate(events, 1)
    ]


def category_of(stream_id: str) -> str:
    """Return a stream's category: the part of its id before the first ``-``.

    ``"todo-42"`` is in category ``"todo"``; an id without ``-`` is its own category.
    """
    return stream_id.partition("-")[0]
