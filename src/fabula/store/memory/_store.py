# Generated from _store_async.py by tools/unasync.py: do not edit, edit the source.
"""``MemoryStore``: the store contract in process memory, for tests and prototypes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from types import TracebackType
from typing import Self
from uuid import UUID

from fabula._errors import ClosedError, ConfigurationError
from fabula.store import _arguments
from fabula.store._batch import StreamAppend, wrote_events
from fabula.store._import import (
    DEFAULT_CHUNK,
    ImportedEvent,
    ImportResult,
    check_chunk,
    chunked,
)
from fabula.store._json_check import check_json, check_json_batch, check_snapshot_json
from fabula.store._keys import KeyTable
from fabula.store._preconditions import ANY_VERSION, Precondition
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
from fabula.store._subscription import Subscription
from fabula.store.memory._keys import MemoryKeyTable
from fabula.store.memory._keys_base import keys_of
from fabula.store.memory._log import MemoryLog

__all__ = ["MemoryStore"]


class MemoryStore:
    """An event store in process memory; thread-safe; forgets everything when dropped."""

    def __init__(self, log: MemoryLog | None = None) -> None:
        self._shared = log if log is not None else MemoryLog()
        self._closed = False

    @property
    def _log(self) -> MemoryLog:
        """The log, while the store is open (after ``close``: ``ClosedError``, as elsewhere)."""
        if self._closed:
            msg = "the memory store is closed"
            raise ClosedError(msg)
        return self._shared

    @classmethod
    def from_url(cls, url: str, /) -> MemoryStore:
        """Open a new, empty store for ``memory://``."""
        if not url.startswith("memory://"):
            msg = f"not a memory store URL: {url!r}"
            raise ConfigurationError(msg)
        return cls()

    def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        /,
        *,
        precondition: Precondition = ANY_VERSION,
    ) -> AppendResult:
        """Append events to a stream if the precondition holds; all or nothing."""
        _arguments.check_append(stream_id, events, precondition)
        check_json(stream_id, events)
        result = self._log.append(stream_id, events, precondition)
        if result.positions:
            self._log.notifier.notify()
        return result

    def append_many(self, appends: Sequence[StreamAppend], /) -> list[AppendResult]:
        """Append to several streams in one transaction: all or nothing (``_batch.py``)."""
        _arguments.check_append_many(appends)
        check_json_batch(appends)
        results = self._log.append_many(appends)
        if wrote_events(results):
            self._log.notifier.notify()
        return results

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
        _arguments.check_read_stream(stream_id, direction, from_version, to_version, limit)
        return self._log.read_stream(stream_id, direction, from_version, to_version, limit)

    def read_all(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Read the global log after a position, optionally only some types or categories."""
        _arguments.check_read_all(after, limit, types, categories)
        return self._log.read_all(after, limit, types, categories)

    def read_caused_by(self, causation_id: UUID, /) -> list[StoredEvent]:
        """Read the events whose causation id is ``causation_id``, in log order."""
        _arguments.check_read_caused_by(causation_id)
        return self._log.read_caused_by(causation_id)

    def stream_version(self, stream_id: str, /) -> int:
        """Return the stream's current version (0 if it has no events)."""
        _arguments.check_stream_id(stream_id)
        return self._log.stream_version(stream_id)

    def head(self) -> int:
        """Return the last position of the global log (0 if empty)."""
        return self._log.head()

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
        _arguments.check_list_streams(prefix, after, limit, status)
        return self._log.list_streams(prefix, after, limit, status)

    def count_streams(self, prefix: str = "", /, *, status: StreamStatus = "live") -> int:
        """Count streams of ``status`` whose id starts with ``prefix``."""
        _arguments.check_count_streams(prefix, status)
        return self._log.count_streams(prefix, status)

    def stream_state(self, stream_id: str, /) -> StreamState:
        """Return the stream's version, lifecycle status and first readable version."""
        _arguments.check_stream_id(stream_id)
        return self._log.stream_state(stream_id)

    def archive_stream(self, stream_id: str, /) -> None:
        """Hide a stream from loads, appends and listings; its events stay in the log."""
        _arguments.check_stream_id(stream_id)
        self._log.archive(stream_id, archived=True)

    def unarchive_stream(self, stream_id: str, /) -> None:
        """Make an archived stream live again."""
        _arguments.check_stream_id(stream_id)
        self._log.archive(stream_id, archived=False)

    def delete_stream(self, stream_id: str, /) -> AppendResult:
        """End a stream with a tombstone event; every later use raises ``StreamDeleted``."""
        _arguments.check_stream_id(stream_id)
        result = self._log.delete(stream_id)
        self._log.notifier.notify()
        return result

    def truncate_stream(self, stream_id: str, /, *, before: int) -> None:
        """Make versions below ``before`` unreadable; keep the newest snapshot only."""
        _arguments.check_truncate(stream_id, before)
        self._log.truncate(stream_id, before)

    def import_events(
        self,
        events: Iterable[ImportedEvent],
        /,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int], object] | None = None,
    ) -> ImportResult:
        """Load events in bulk, chunk by chunk (rules in ``fabula.store._import``).

        ``progress(n)`` is called after each chunk with the events stored so far.

        Raises:
            ImportRefused: an event is refused (its line; the chunks before it are stored).
        """
        imported = chunks = 0
        last: int | None = None
        for chunk in chunked(events, chunk_size):
            check_chunk(chunk, imported + 1, imported)
            last = self._log.import_chunk(chunk, imported + 1, imported)
            imported += len(chunk)
            chunks += 1
            self._log.notifier.notify()
            if progress is not None:
                progress(imported)
        return ImportResult(imported, chunks, last)

    def save_snapshot(self, snapshot: SnapshotRecord, /) -> None:
        """Store a snapshot (replacing one at the same stream and version)."""
        _arguments.check_save_snapshot(snapshot)
        check_snapshot_json(snapshot)
        self._log.save_snapshot(snapshot)

    def load_snapshot(
        self, stream_id: str, /, *, max_version: int | None = None
    ) -> SnapshotRecord | None:
        """Return the newest snapshot of a stream at or below ``max_version``, if any."""
        _arguments.check_load_snapshot(stream_id, max_version)
        return self._log.load_snapshot(stream_id, max_version)

    def wait_for_events(self, after: int, /, *, timeout: float) -> bool:
        """Wait until the log holds a position past ``after``; return whether it does."""
        _arguments.check_wait_for_events(after, timeout)
        since = self._log.notifier.generation
        if self._log.head() > after:
            return True
        self._log.notifier.wait(since, timeout)
        return self._log.head() > after

    def subscribe(
        self,
        *,
        after: int = 0,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> Subscription:
        """Follow the global log from ``after``: catch up, then live."""
        _arguments.check_subscribe(after, types, categories, batch_size, poll_interval)
        return Subscription(
            self,
            after=after,
            types=types,
            categories=categories,
            batch_size=batch_size,
            poll_interval=poll_interval,
        )

    def personal_keys(self) -> KeyTable:
        """The per-subject key table of personal data (``fabula.codec.Keyring``)."""
        return MemoryKeyTable(keys_of(self._log))

    def close(self) -> None:
        """Close the store: every later use raises ``ClosedError`` (the log is kept)."""
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
