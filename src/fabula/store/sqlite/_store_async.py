"""``AsyncSqliteStore``: the store contract on an embedded SQLite file, fabula's default.

The SQL work of each operation lives in ``_ops`` (one plain function each); this class
only routes it: writes through the writer, reads through a reader, and wakes followers
after appends. ``wait_for_events`` also polls the log every ``poll_interval`` seconds,
so appends by other processes wake it too. Append hooks (``add_append_hook``) run in
the append's transaction, on the writer (see ``fabula.store._hooks``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from fabula._errors import ConfigurationError
from fabula.store import _arguments
from fabula.store._batch import StreamAppend, wrote_events
from fabula.store._hooks import AppendHooks, ReplayFrom
from fabula.store._import import (
    DEFAULT_CHUNK,
    ImportedEvent,
    ImportResult,
    check_chunk,
    chunked,
)
from fabula.store._json_check import check_json, check_json_batch, check_snapshot_json
from fabula.store._keys_async import AsyncKeyTable
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
from fabula.store._subscription_async import AsyncSubscription
from fabula.store.sqlite import _import_ops, _lifecycle, _ops
from fabula.store.sqlite._driver import AsyncConnection
from fabula.store.sqlite._keys_async import AsyncSqliteKeyTable
from fabula.store.sqlite._migrate import MigrateMode
from fabula.store.sqlite._settings import OpenMode, SqliteSettings, settings_of

__all__ = ["AppendHook", "AsyncSqliteStore", "AttachHook"]

AppendHook = Callable[[sqlite3.Connection, Sequence[StoredEvent]], object]
"""``hook(tx, records)``: called in an append's transaction, before it commits."""

AttachHook = Callable[[sqlite3.Connection], ReplayFrom]
"""``attach(tx)``: called once when a hook is added; may return a position to replay from."""


class AsyncSqliteStore:
    """An event store in one SQLite file (WAL mode, full fsync on commit); thread-safe.

    Args:
        path: the database file (``":memory:"`` for a private, in-process database), a
            ``sqlite:///path.db`` URL with options, or ``SqliteSettings``; a target
            (``fabula.read.sqlite.SqliteTarget``) takes the same. The keywords below
            default to ``SqliteSettings``' values (``None``: keep them).
        mode: ``"rwc"`` (default) creates a missing file; ``"rw"`` refuses one;
            ``"ro"`` opens read-only: nothing is ever written, not even the schema or
            the journal mode, and every write raises ``ReadOnlyError``.
        migrate: ``"auto"`` (default) creates the schema in a fresh file and migrates an
            older one on open; ``"check"`` refuses both with ``SchemaError``.
        busy_timeout: seconds to wait for another process's write lock before failing.
        poll_interval: seconds between checks for appends by other processes while waiting.

    Raises:
        SchemaError: no fabula store is there (with ``"check"`` or ``"ro"``: no file, or a
            file without fabula's schema), or its schema is newer than this code, or
            older with ``"check"`` or ``"ro"``.
        StoreError: the file cannot be opened as a SQLite database.
        ConfigurationError: a setting has a wrong value.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | SqliteSettings,
        /,
        *,
        mode: OpenMode | None = None,
        migrate: MigrateMode | None = None,
        busy_timeout: float | None = None,
        poll_interval: float | None = None,
    ) -> None:
        self._settings = settings = settings_of(
            path,
            mode=mode,
            migrate=migrate,
            busy_timeout=busy_timeout,
            poll_interval=poll_interval,
        )
        self._db = AsyncConnection(
            settings.path,
            mode=settings.mode,
            migrate_mode=settings.migrate,
            busy_timeout=settings.busy_timeout,
        )
        self._poll_interval = settings.poll_interval
        self._hooks = AppendHooks()

    @classmethod
    def from_url(cls, url: str, /, **settings: Any) -> AsyncSqliteStore:
        """Open ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or ``sqlite:///:memory:``.

        The URL may carry the constructor's settings as options (``?mode=ro``, see
        ``fabula.store.sqlite._settings``); ``settings`` are keyword arguments that must
        not contradict them. Unknown options are refused with ``ConfigurationError``.
        """
        found = SqliteSettings.from_url(url, **settings)
        return cls(
            found.path,
            mode=found.mode,
            migrate=found.migrate,
            busy_timeout=found.busy_timeout,
            poll_interval=found.poll_interval,
        )

    @property
    def settings(self) -> SqliteSettings:
        """The settings this store was opened with."""
        return self._settings

    @property
    def path(self) -> str:
        """The database file (``":memory:"`` for an in-process database)."""
        return self._db.path

    async def append(
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
        result = await self._db.write_grouped(
            _ops.append, stream_id, events, precondition, self._hooks
        )
        if result.positions and not result.deduplicated:
            self._db.notifier.notify()
        return result

    async def append_many(self, appends: Sequence[StreamAppend], /) -> list[AppendResult]:
        """Append to several streams in one transaction: all or nothing (``_batch.py``)."""
        _arguments.check_append_many(appends)
        check_json_batch(appends)
        results = await self._db.write_grouped(_ops.append_many, appends, self._hooks)
        if wrote_events(results):
            self._db.notifier.notify()
        return results

    async def add_append_hook(
        self,
        hook: AppendHook,
        /,
        *,
        types: Collection[str] | None = None,
        attach: AttachHook | None = None,
    ) -> None:
        """Call ``hook(tx, records)`` in every later append's transaction, before it commits.

        ``tx`` is the store's ``sqlite3.Connection``; ``records`` are the appended events
        of ``types`` (all for ``None``); appends without any do not call it. If the hook
        raises, the append rolls back and the exception propagates: nothing is stored.

        Adding is one transaction that no append overlaps: ``attach(tx)`` runs first; if
        it returns a position, the hook is first called with the stored events of
        ``types`` after it, so it catches up.

        Raises:
            ConfigurationError: the hook was added already.
            Exception: what ``attach`` or the hook raised (then the hook is not added).
        """
        _arguments.check_add_hook(types)
        if hook in self._hooks:
            msg = f"this append hook was added to the SQLite store on {self.path!r} already"
            raise ConfigurationError(msg)
        await self._db.write(_ops.attach_hook, self._hooks, hook, types, attach)

    async def remove_append_hook(self, hook: AppendHook, /) -> bool:
        """Stop calling ``hook`` in later appends; return whether it was added."""
        return self._hooks.remove(hook)

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
        _arguments.check_read_stream(stream_id, direction, from_version, to_version, limit)
        return await self._db.read(
            _ops.read_stream, stream_id, direction, from_version, to_version, limit
        )

    async def read_all(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Read the global log after a position, optionally only some types or categories."""
        _arguments.check_read_all(after, limit, types, categories)
        return await self._db.read(_ops.read_all, after, limit, types, categories)

    async def read_caused_by(self, causation_id: UUID, /) -> list[StoredEvent]:
        """Read the events whose causation id is ``causation_id``, in log order."""
        _arguments.check_read_caused_by(causation_id)
        return await self._db.read(_ops.read_caused_by, causation_id)

    async def stream_version(self, stream_id: str, /) -> int:
        """Return the stream's current version (0 if it has no events)."""
        _arguments.check_stream_id(stream_id)
        return await self._db.read(_ops.stream_version, stream_id)

    async def head(self) -> int:
        """Return the last position of the global log (0 if empty)."""
        return await self._db.read(_ops.head)

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
        _arguments.check_list_streams(prefix, after, limit, status)
        return await self._db.read(_ops.list_streams, prefix, after, limit, status)

    async def count_streams(self, prefix: str = "", /, *, status: StreamStatus = "live") -> int:
        """Count streams of ``status`` whose id starts with ``prefix``."""
        _arguments.check_count_streams(prefix, status)
        return await self._db.read(_ops.count_streams, prefix, status)

    async def stream_state(self, stream_id: str, /) -> StreamState:
        """Return the stream's version, lifecycle status and first readable version."""
        _arguments.check_stream_id(stream_id)
        return await self._db.read(_lifecycle.stream_state, stream_id)

    async def archive_stream(self, stream_id: str, /) -> None:
        """Hide a stream from loads, appends and listings; its events stay in the log."""
        _arguments.check_stream_id(stream_id)
        await self._db.write(_lifecycle.archive, stream_id, "archived")

    async def unarchive_stream(self, stream_id: str, /) -> None:
        """Make an archived stream live again."""
        _arguments.check_stream_id(stream_id)
        await self._db.write(_lifecycle.archive, stream_id, "live")

    async def delete_stream(self, stream_id: str, /) -> AppendResult:
        """End a stream with a tombstone event; every later use raises ``StreamDeleted``."""
        _arguments.check_stream_id(stream_id)
        result = await self._db.write(_lifecycle.delete, stream_id, self._hooks)
        self._db.notifier.notify()
        return result

    async def truncate_stream(self, stream_id: str, /, *, before: int) -> None:
        """Make versions below ``before`` unreadable; keep the newest snapshot only."""
        _arguments.check_truncate(stream_id, before)
        await self._db.write(_lifecycle.truncate, stream_id, before)

    async def import_events(
        self,
        events: Iterable[ImportedEvent],
        /,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int], object] | None = None,
    ) -> ImportResult:
        """Load events in bulk, one transaction per chunk (rules in ``fabula.store._import``).

        ``progress(n)`` is called after each chunk with the events stored so far.

        Raises:
            ImportRefused: an event is refused (its line; the chunks before it are stored).
        """
        imported = chunks = 0
        last: int | None = None
        for chunk in chunked(events, chunk_size):
            check_chunk(chunk, imported + 1, imported)
            last = await self._db.write(
                _import_ops.import_chunk, chunk, imported + 1, imported, self._hooks
            )
            imported += len(chunk)
            chunks += 1
            self._db.notifier.notify()
            if progress is not None:
                progress(imported)
        return ImportResult(imported, chunks, last)

    async def save_snapshot(self, snapshot: SnapshotRecord, /) -> None:
        """Store a snapshot (replacing one at the same stream and version)."""
        _arguments.check_save_snapshot(snapshot)
        check_snapshot_json(snapshot)
        await self._db.write(_ops.save_snapshot, snapshot)

    async def load_snapshot(
        self, stream_id: str, /, *, max_version: int | None = None
    ) -> SnapshotRecord | None:
        """Return the newest snapshot of a stream at or below ``max_version``, if any."""
        _arguments.check_load_snapshot(stream_id, max_version)
        return await self._db.read(_ops.load_snapshot, stream_id, max_version)

    async def wait_for_events(self, after: int, /, *, timeout: float) -> bool:
        """Wait until the log holds a position past ``after``; return whether it does.

        Appends in this process wake it at once; other processes' appends are seen within
        ``poll_interval``.
        """
        _arguments.check_wait_for_events(after, timeout)
        deadline = time.monotonic() + timeout
        while True:
            # The generation is read before the log: an append in between is not missed.
            since = self._db.notifier.generation
            if await self.head() > after:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await self._db.notifier.async_wait(since, min(self._poll_interval, remaining))

    def subscribe(
        self,
        *,
        after: int = 0,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> AsyncSubscription:
        """Follow the global log from ``after``: catch up, then live."""
        _arguments.check_subscribe(after, types, categories, batch_size, poll_interval)
        return AsyncSubscription(
            self,
            after=after,
            types=types,
            categories=categories,
            batch_size=batch_size,
            poll_interval=poll_interval,
        )

    def personal_keys(self) -> AsyncKeyTable:
        """The per-subject key table of personal data (``fabula.codec.AsyncKeyring``)."""
        return AsyncSqliteKeyTable(self._db)

    async def close(self) -> None:
        """Close the database connections; the store cannot be used afterwards."""
        await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
