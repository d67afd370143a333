"""The event-store contract: one behaviour, every backend.

Rules (every backend passes ``fabula.testing.conformance`` to prove them):
1. ``append`` writes all of its events or none, at versions current+1.., checking the
   precondition atomically with the write.
2. Positions in the global log are strictly increasing. ``read_all(after=p)`` never
   returns an event past one that may still appear below it: a reader that resumes from
   the last position it saw never skips an event committed later by a slower writer.
3. Re-appending events whose ids are stored already, as the same batch to the same
   stream with the same content (type, data, metadata, schema version, causation and
   correlation ids), returns the original result (``deduplicated=True``) and stores
   nothing; any other reuse of a stored event id raises ``DuplicateEvent``.
4. Versions start at 1; version 0 means "no events".
5. Payloads and metadata are JSON text (metadata a JSON object); a store refuses other text
   (``CodecError``, ``_json_check.py``) but never interprets or rewrites it.
6. Streams have a lifecycle: archive, delete with a tombstone, truncate; its rules are in
   ``_lifecycle.py`` (ADR 0015).

``EventStore`` and ``AsyncEventStore`` are the same contract, sync and asyncio.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self
from uuid import UUID

from fabula.store._batch import StreamAppend
from fabula.store._preconditions import Precondition
from fabula.store._records import (
    AppendResult,
    Direction,
    NewEvent,
    SnapshotRecord,
    StoredEvent,
    StreamInfo,
    StreamState,
    StreamStatus,
)

if TYPE_CHECKING:
    from fabula.store._subscription import Subscription
    from fabula.store._subscription_async import AsyncSubscription

__all__ = ["AsyncEventStore", "EventStore"]


class EventStore(Protocol):
    """A store of event streams with one global log (sync)."""

    def append(
        self, stream_id: str, events: Sequence[NewEvent], /, *, precondition: Precondition = ...
    ) -> AppendResult:
        """Append events to a stream if the precondition holds; all or nothing."""
        ...

    def append_many(self, appends: Sequence[StreamAppend], /) -> list[AppendResult]:
        """Append to several streams in one transaction: all or nothing, results in order."""
        ...

    def read_stream(
        self,
        stream_id: str,
        /,
        *,
        direction: Direction = "forwards",
        from_version: int | None = None,
        to_version: int | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Read a stream's events from ``from_version`` to ``to_version`` (inclusive)."""
        ...

    def read_all(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Read the global log after a position, optionally only some types or categories."""
        ...

    def read_caused_by(self, causation_id: UUID, /) -> list[StoredEvent]:
        """Read the events whose causation id is ``causation_id``, in log order."""
        ...

    def stream_version(self, stream_id: str, /) -> int:
        """Return the stream's current version (0 if it has no events)."""
        ...

    def head(self) -> int:
        """Return the last position of the global log (0 if empty)."""
        ...

    def list_streams(
        self,
        prefix: str = "",
        /,
        *,
        after: str | None = None,
        limit: int | None = None,
        status: StreamStatus = "live",
    ) -> list[StreamInfo]:
        """List streams of ``status`` whose id starts with ``prefix``, by id, after ``after``."""
        ...

    def count_streams(self, prefix: str = "", /, *, status: StreamStatus = "live") -> int:
        """Count streams of ``status`` whose id starts with ``prefix``."""
        ...

    def stream_state(self, stream_id: str, /) -> StreamState:
        """Return the stream's version, lifecycle status and first readable version."""
        ...

    def archive_stream(self, stream_id: str, /) -> None:
        """Hide a stream from loads, appends and listings; its events stay in the log."""
        ...

    def unarchive_stream(self, stream_id: str, /) -> None:
        """Make an archived stream live again."""
        ...

    def delete_stream(self, stream_id: str, /) -> AppendResult:
        """End a stream with a tombstone event; every later use raises ``StreamDeleted``."""
        ...

    def truncate_stream(self, stream_id: str, /, *, before: int) -> None:
        """Make versions below ``before`` unreadable; keep the newest snapshot only."""
        ...

    def save_snapshot(self, snapshot: SnapshotRecord, /) -> None:
        """Store a snapshot (replacing one at the same stream and version)."""
        ...

    def load_snapshot(
        self, stream_id: str, /, *, max_version: int | None = None
    ) -> SnapshotRecord | None:
        """Return the newest snapshot of a stream at or below ``max_version``, if any."""
        ...

    def wait_for_events(self, after: int, /, *, timeout: float) -> bool:
        """Wait until the log holds a position past ``after``; return whether it does."""
        ...

    def subscribe(
        self,
        *,
        after: int = 0,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> Subscription:
        """Follow the global log from ``after``: catch up, then live, never skipping an event."""
        ...

    def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""
        ...

    def __enter__(self) -> Self:
        """Return the store itself (opened): ``with`` closes it on the way out."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        ...


class AsyncEventStore(Protocol):
    """A store of event streams with one global log (asyncio). Same contract as ``EventStore``."""

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], /, *, precondition: Precondition = ...
    ) -> AppendResult:
        """Append events to a stream if the precondition holds; all or nothing."""
        ...

    async def append_many(self, appends: Sequence[StreamAppend], /) -> list[AppendResult]:
        """Append to several streams in one transaction: all or nothing, results in order."""
        ...

    async def read_stream(
        self,
        stream_id: str,
        /,
        *,
        direction: Direction = "forwards",
        from_version: int | None = None,
        to_version: int | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Read a stream's events from ``from_version`` to ``to_version`` (inclusive)."""
        ...

    async def read_all(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Read the global log after a position, optionally only some types or categories."""
        ...

    async def read_caused_by(self, causation_id: UUID, /) -> list[StoredEvent]:
        """Read the events whose causation id is ``causation_id``, in log order."""
        ...

    async def stream_version(self, stream_id: str, /) -> int:
        """Return the stream's current version (0 if it has no events)."""
        ...

    async def head(self) -> int:
        """Return the last position of the global log (0 if empty)."""
        ...

    async def list_streams(
        self,
        prefix: str = "",
        /,
        *,
        after: str | None = None,
        limit: int | None = None,
        status: StreamStatus = "live",
    ) -> list[StreamInfo]:
        """List streams of ``status`` whose id starts with ``prefix``, by id, after ``after``."""
        ...

    async def count_streams(self, prefix: str = "", /, *, status: StreamStatus = "live") -> int:
        """Count streams of ``status`` whose id starts with ``prefix``."""
        ...

    async def stream_state(self, stream_id: str, /) -> StreamState:
        """Return the stream's version, lifecycle status and first readable version."""
        ...

    async def archive_stream(self, stream_id: str, /) -> None:
        """Hide a stream from loads, appends and listings; its events stay in the log."""
        ...

    async def unarchive_stream(self, stream_id: str, /) -> None:
        """Make an archived stream live again."""
        ...

    async def delete_stream(self, stream_id: str, /) -> AppendResult:
        """End a stream with a tombstone event; every later use raises ``StreamDeleted``."""
        ...

    async def truncate_stream(self, stream_id: str, /, *, before: int) -> None:
        """Make versions below ``before`` unreadable; keep the newest snapshot only."""
        ...

    async def save_snapshot(self, snapshot: SnapshotRecord, /) -> None:
        """Store a snapshot (replacing one at the same stream and version)."""
        ...

    async def load_snapshot(
        self, stream_id: str, /, *, max_version: int | None = None
    ) -> SnapshotRecord | None:
        """Return the newest snapshot of a stream at or below ``max_version``, if any."""
        ...

    async def wait_for_events(self, after: int, /, *, timeout: float) -> bool:
        """Wait until the log holds a position past ``after``; return whether it does."""
        ...

    def subscribe(
        self,
        *,
        after: int = 0,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> AsyncSubscription:
        """Follow the global log from ``after``: catch up, then live, never skipping an event."""
        ...

    async def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""
        ...

    async def __aenter__(self) -> Self:
        """Return the store itself (opened): ``async with`` closes it on the way out."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        ...
