"""``AsyncPostgresStore``: the store contract on PostgreSQL, with psycopg 3 and its pool.

Each operation is one statement (the append too: see ``_sql.py``), run by
``AsyncDatabase``, which also connects, migrates and recovers lost connections. Why
positions are safe to follow without a global lock is the subject of ``_ordering.py``;
how followers in other processes are woken, of ``_wakeups.py``; how append hooks run in
the append's transaction, of ``_hooks_async.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from psycopg import errors

from fabula._errors import ConcurrencyError, ConfigurationError, StreamNotFound
from fabula._postgres._errors import is_violation_of, map_errors
from fabula._postgres._settings import MigrateMode, PostgresSettings, settings_of, split_url
from fabula.store import _arguments
from fabula.store._batch import StreamAppend, check_batch, wrote_events
from fabula.store._dedupe import replayed_append
from fabula.store._hooks import AppendHooks
from fabula.store._import import (
    DEFAULT_CHUNK,
    ImportedEvent,
    ImportResult,
    check_chunk,
    chunked,
)
from fabula.store._json_check import check_json, check_json_batch, check_snapshot_json
from fabula.store._keys_async import AsyncKeyTable
from fabula.store._lifecycle import check_appendable, check_changeable, check_readable, tombstone
from fabula.store._notify import Notifier
from fabula.store._preconditions import ANY_VERSION, Precondition, check
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
from fabula.store.postgres._batch_async import append_many
from fabula.store.postgres._bulk_async import import_chunk
from fabula.store.postgres._bulk_base import BulkStatements
from fabula.store.postgres._driver_async import AsyncDatabase
from fabula.store.postgres._hooks_async import (
    AsyncAppendHook,
    AsyncAttachHook,
    add_hook,
    write_append,
)
from fabula.store.postgres._in_doubt import Attempts, settled
from fabula.store.postgres._keys_async import AsyncPostgresKeyTable
from fabula.store.postgres._lifecycle_async import archive, lifecycle, truncate
from fabula.store.postgres._lifecycle_sql import LifecycleStatements, raise_refusal
from fabula.store.postgres._lifetime import on_drop
from fabula.store.postgres._ordering import MAX_APPEND
from fabula.store.postgres._rows import (
    BIGINT_MAX,
    RunningAppend,
    append_params,
    prefix_range,
    running_append,
    snapshot_record,
    stored_event,
)
from fabula.store.postgres._sql import EVENT_ID_KEY, STREAM_VERSION_KEY, Statements
from fabula.store.postgres._wakeups import Wakeups

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

__all__ = ["AsyncPostgresStore"]

_APPEND_ROUNDS = 16  # precondition re-checks; each one needs another writer to move on
_RECHECK = 0.01  # first look again after a wake-up that found nothing past the horizon


class AsyncPostgresStore:
    """An event store in a PostgreSQL schema, for asyncio; safe to share between tasks.

    The store connects on first use (or ``await store.open()``): it checks the schema,
    migrating it when ``migrate="auto"``, then fills its connection pool. Close it with
    ``await store.close()`` or ``async with``.

    Args:
        conninfo: a ``postgresql://`` URL (``?schema=`` names the schema), a libpq
            connection string, or ``PostgresSettings`` (also what a ``PostgresTarget``
            takes).
        schema: and the other keywords: the fields of ``PostgresSettings``, which hold
            their defaults; ``None`` keeps the default (or the given settings' value).
    """

    def __init__(
        self,
        conninfo: str | PostgresSettings,
        /,
        *,
        schema: str | None = None,
        migrate: MigrateMode | None = None,
        min_size: int | None = None,
        max_size: int | None = None,
        pool_timeout: float | None = None,
        connect_timeout: float | None = None,
        poll_interval: float | None = None,
        application_name: str | None = None,
        read_only: bool | None = None,
    ) -> None:
        self._settings = settings = settings_of(
            conninfo,
            schema=schema,
            migrate=migrate,
            min_size=min_size,
            max_size=max_size,
            pool_timeout=pool_timeout,
            connect_timeout=connect_timeout,
            poll_interval=poll_interval,
            application_name=application_name,
            read_only=read_only,
        )
        self._db = AsyncDatabase(settings)
        self._where = settings.where
        self._sql = Statements.for_schema(settings.schema)
        self._lifecycle = LifecycleStatements.for_schema(settings.schema)
        self._bulk = BulkStatements(settings.schema)
        self._notifier = Notifier()
        self._wakeups = Wakeups(
            settings.conninfo, settings.connect_kwargs(), settings.channel, self._notifier
        )
        self._hooks = AppendHooks()
        self._dropped = on_drop(self, self._wakeups, self._db)

    @classmethod
    def from_url(cls, url: str, /, **settings: Any) -> AsyncPostgresStore:
        """Open a store for ``postgresql://user@host:port/db?schema=name``.

        ``settings`` are the constructor's keyword arguments; ``schema`` may be given
        in the URL or as a keyword, not both.
        """
        split_url(url)  # refuses any other scheme, as ``open_store`` would
        return cls(url, **settings)

    @property
    def settings(self) -> PostgresSettings:
        """The settings this store was opened with."""
        return self._settings

    async def open(self) -> None:
        """Connect, check or migrate the schema, and open the pool; later calls do nothing.

        Raises:
            StoreError: the server cannot be reached (the message says where and why).
            SchemaError: the schema is at another version and cannot be migrated.
        """
        await self._db.open()

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
        return await self._append_checked(stream_id, events, precondition)

    async def _append_checked(
        self, stream_id: str, events: Sequence[NewEvent], precondition: Precondition
    ) -> AppendResult:
        with map_errors(self._where, self._settings.schema):
            try:
                result = await self._append(stream_id, events, precondition)
            except errors.ObjectNotInPrerequisiteState as exc:
                raise_refusal(exc)
                raise
        if result.positions and not result.deduplicated:
            # Followers in this process wake at once, others by a NOTIFY sent for us.
            self._notifier.notify()
            self._wakeups.announce()
        return result

    async def _append(
        self, stream_id: str, events: Sequence[NewEvent], precondition: Precondition
    ) -> AppendResult:
        if not events or len({e.event_id for e in events}) != len(events):
            return await self._append_refused(stream_id, events, precondition)
        mode, params = append_params(stream_id, events, precondition)
        statement = self._sql.append(mode)
        attempts = Attempts()
        for _ in range(_APPEND_ROUNDS):
            try:
                rows = await write_append(
                    self._db, self._hooks, self._sql, statement, params, events, attempts
                )
            except errors.UniqueViolation as exc:
                if is_violation_of(exc, STREAM_VERSION_KEY):
                    current = await self.stream_version(stream_id)
                    raise ConcurrencyError(stream_id, str(precondition), current) from exc
                if not is_violation_of(exc, EVENT_ID_KEY):
                    raise
                rows = None
            if rows:
                positions = tuple(sorted(row[0] for row in rows))
                return AppendResult(stream_id, max(row[1] for row in rows), positions)
            # Slow path: an event id is stored already, or the precondition failed. The
            # batch found stored is a re-append, or our own commit whose reply was lost.
            replay = replayed_append(stream_id, events, await self._find(events))
            if replay is not None:
                return settled(replay, attempts)
            if rows is not None:
                check_appendable(stream_id, (await self._status(stream_id))[0])
                check(precondition, stream_id, await self.stream_version(stream_id))
            # The precondition holds by now, or the append that held our ids rolled back.
        raise ConcurrencyError(stream_id, str(precondition), await self.stream_version(stream_id))

    async def append_many(self, appends: Sequence[StreamAppend], /) -> list[AppendResult]:
        """Append to several streams in one transaction: all or nothing (``_batch.py``)."""
        _arguments.check_append_many(appends)
        check_json_batch(appends)
        check_batch(appends)
        with map_errors(self._where, self._settings.schema):
            # Appends without events insert nothing, so the trigger cannot see them.
            for append in appends:
                if not append.events:
                    check_appendable(append.stream_id, (await self._status(append.stream_id))[0])
            try:
                results = await append_many(
                    self._db, self._hooks, self._sql, appends, self._find, self._versions
                )
            except errors.ObjectNotInPrerequisiteState as exc:
                raise_refusal(exc)
                raise
            except (ConcurrencyError, StreamNotFound):
                for append in appends:  # a hidden stream is the reason to report
                    check_appendable(append.stream_id, (await self._status(append.stream_id))[0])
                raise
        if wrote_events(results):
            self._notifier.notify()
            self._wakeups.announce()
        return results

    async def import_events(
        self,
        events: Iterable[ImportedEvent],
        /,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int], object] | None = None,
    ) -> ImportResult:
        """Load events in bulk through COPY, one transaction per chunk (``fabula.store._import``).

        ``progress(n)`` is called after each chunk with the events stored so far; a chunk
        holds at most 65,536 events (``_ordering.py`` rule 1).

        Raises:
            ImportRefused: an event is refused (its line; the chunks before it are stored).
        """
        imported = chunks = 0
        last: int | None = None
        for chunk in chunked(events, chunk_size, most=MAX_APPEND):
            check_chunk(chunk, imported + 1, imported)
            with map_errors(self._where, self._settings.schema):
                last = await import_chunk(
                    self._db, self._hooks, self._sql, self._bulk, chunk, imported + 1, imported
                )
            imported += len(chunk)
            chunks += 1
            self._notifier.notify()
            self._wakeups.announce()
            if progress is not None:
                progress(imported)
        return ImportResult(imported, chunks, last)

    async def add_append_hook(
        self,
        hook: AsyncAppendHook,
        /,
        *,
        types: Collection[str] | None = None,
        attach: AsyncAttachHook | None = None,
    ) -> None:
        """Call ``hook(tx, records)`` in every later append's transaction, before it commits.

        ``tx`` is the store's connection (autocommit off, inside the append's
        transaction); ``records`` are the appended events of ``types`` (all for
        ``None``); appends without any do not call it, and stay one statement. If the
        hook raises, the append rolls back and the exception propagates.

        Adding is one transaction that holds off every append (a ``SHARE`` lock on the
        log): ``attach(tx)`` runs first; if it returns a position, the hook is first
        called with the stored events of ``types`` after it, so it catches up. Appends
        in other processes call only their own process's hooks.

        Raises:
            ConfigurationError: the hook was added already.
            Exception: what ``attach`` or the hook raised (then the hook is not added).
        """
        _arguments.check_add_hook(types)
        if hook in self._hooks:
            msg = f"this append hook was added to {self!r} already"
            raise ConfigurationError(msg)
        with map_errors(self._where, self._settings.schema):
            await add_hook(self._db, self._hooks, self._sql, hook, types, attach)

    async def remove_append_hook(self, hook: AsyncAppendHook, /) -> bool:
        """Stop calling ``hook`` in later appends; return whether it was added."""
        return self._hooks.remove(hook)

    async def _append_refused(
        self, stream_id: str, events: Sequence[NewEvent], precondition: Precondition
    ) -> AppendResult:
        """An empty append, or one repeating an event id: it writes nothing, but says why."""
        replay = replayed_append(stream_id, events, await self._find(events))
        if replay is not None:
            return replay
        check_appendable(stream_id, (await self._status(stream_id))[0])
        current = await self.stream_version(stream_id)
        check(precondition, stream_id, current)
        if events:
            msg = f"stream {stream_id!r}: the same event id appears twice in one append"
            raise ConfigurationError(msg)
        return AppendResult(stream_id, current, ())

    async def _status(self, stream_id: str) -> tuple[StreamStatus, int]:
        return await lifecycle(self._db, self._lifecycle, stream_id)

    async def _versions(self, stream_ids: list[str]) -> dict[str, int]:
        """The versions of the streams among ``stream_ids`` that exist, in one query."""
        rows = await self._db.rows(self._sql.stream_versions, {"stream_ids": stream_ids})
        return {row[0]: int(row[1]) for row in rows}

    async def _find(self, events: Sequence[NewEvent]) -> list[StoredEvent]:
        if not events:
            return []
        rows = await self._db.rows(
            self._sql.find_events, {"event_ids": [e.event_id for e in events]}
        )
        return [stored_event(row) for row in rows]

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
        """Read a stream's events from ``from_version`` to ``to_version``, in ``direction``."""
        _arguments.check_read_stream(stream_id, direction, from_version, to_version, limit)
        first = check_readable(stream_id, *await self._status(stream_id), from_version)
        statement = (
            self._sql.read_stream_forwards
            if direction == "forwards"
            else self._sql.read_stream_backwards
        )
        params = {
            "stream_id": stream_id,
            "low": max(first, 1),
            "high": BIGINT_MAX if to_version is None else to_version,
            "limit": limit,
        }
        return [stored_event(row) for row in await self._db.read(statement, params)]

    async def read_all(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Read the global log after a position, optionally only some types or categories.

        Only positions below the log's horizon come back, so no event can later appear
        below one returned here (``_ordering.py``).
        """
        _arguments.check_read_all(after, limit, types, categories)
        params: dict[str, Any] = {"after": after, "limit": limit}
        if types is None and categories is None:
            statement = self._sql.read_all
        elif categories is None:
            statement, params["types"] = self._sql.read_all_types, list(types or ())
        elif types is None:
            statement, params["categories"] = self._sql.read_all_categories, list(categories)
        else:
            statement = self._sql.read_all_both
            params["types"], params["categories"] = list(types), list(categories)
        return [stored_event(row) for row in await self._db.read(statement, params)]

    async def iter_stream(
        self,
        stream_id: str,
        /,
        *,
        from_version: int | None = None,
        to_version: int | None = None,
        page_size: int = 1000,
    ) -> AsyncIterator[StoredEvent]:
        """Yield a stream's events forwards, reading ``page_size`` at a time (bounded memory)."""
        _arguments.check_iter_stream(stream_id, from_version, to_version, page_size)
        low = max(from_version or 1, 1)
        while True:
            page = await self.read_stream(
                stream_id, from_version=low, to_version=to_version, limit=page_size
            )
            for event in page:
                low = event.version + 1
                yield event
            if len(page) < page_size:
                return

    async def iter_all(
        self,
        *,
        after: int = 0,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        page_size: int = 1000,
    ) -> AsyncIterator[StoredEvent]:
        """Yield the log after ``after`` up to its horizon, ``page_size`` events at a time."""
        _arguments.check_iter_all(after, types, categories, page_size)
        while True:
            page = await self.read_all(
                after=after, limit=page_size, types=types, categories=categories
            )
            for event in page:
                after = event.position
                yield event
            if len(page) < page_size:
                return

    async def read_caused_by(self, causation_id: UUID, /) -> list[StoredEvent]:
        """Read the events whose causation id is ``causation_id``, in log order."""
        _arguments.check_read_caused_by(causation_id)
        rows = await self._db.read(self._sql.read_caused_by, {"causation_id": causation_id})
        return [stored_event(row) for row in rows]

    async def stream_version(self, stream_id: str, /) -> int:
        """Return the stream's current version (0 if it has no events)."""
        _arguments.check_stream_id(stream_id)
        rows = await self._db.read(self._sql.stream_version, {"stream_id": stream_id})
        return int(rows[0][0]) if rows else 0

    async def head(self) -> int:
        """Return the last position of the global log below its horizon (0 if empty)."""
        rows = await self._db.read(self._sql.head)
        return int(rows[0][0])

    async def running_appends(self) -> list[RunningAppend]:
        """List this store's appends running now on the server, oldest first.

        Readers (``read_all``, ``head``, subscriptions, ``wait_for_events``) see no
        position past the oldest one until it ends, so a long one here is why followers
        lag (``_ordering.py`` rule 7). Transactions outside the store never hold them.
        """
        rows = await self._db.read(self._sql.running_appends)
        return [running_append(row) for row in rows]

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
        low, high = prefix_range(prefix)
        exclude = None
        if after is not None and after >= low:
            low = exclude = after
        params = {"low": low, "exclude": exclude, "high": high, "limit": limit, "status": status}
        statement = self._sql.list_streams_unbounded if high is None else self._sql.list_streams
        return [StreamInfo(row[0], row[1]) for row in await self._db.read(statement, params)]

    async def count_streams(self, prefix: str = "", /, *, status: StreamStatus = "live") -> int:
        """Count streams of ``status`` whose id starts with ``prefix``."""
        _arguments.check_count_streams(prefix, status)
        low, high = prefix_range(prefix)
        statement = self._sql.count_streams_unbounded if high is None else self._sql.count_streams
        rows = await self._db.read(statement, {"low": low, "high": high, "status": status})
        return int(rows[0][0])

    async def stream_state(self, stream_id: str, /) -> StreamState:
        """Return the stream's version, lifecycle status and first readable version."""
        _arguments.check_stream_id(stream_id)
        status, truncated_before = await self._status(stream_id)
        return StreamState(
            stream_id, await self.stream_version(stream_id), status, truncated_before
        )

    async def archive_stream(self, stream_id: str, /) -> None:
        """Hide a stream from loads, appends and listings; its events stay in the log."""
        _arguments.check_stream_id(stream_id)
        with map_errors(self._where, self._settings.schema):
            await archive(self._db, self._lifecycle, stream_id, "archived")

    async def unarchive_stream(self, stream_id: str, /) -> None:
        """Make an archived stream live again."""
        _arguments.check_stream_id(stream_id)
        with map_errors(self._where, self._settings.schema):
            await archive(self._db, self._lifecycle, stream_id, "live")

    async def delete_stream(self, stream_id: str, /) -> AppendResult:
        """End a stream with a tombstone event; every later use raises ``StreamDeleted``.

        The tombstone is appended like any event; the trigger of migration 0003 marks the
        stream deleted in the same transaction and refuses every later append.
        """
        _arguments.check_stream_id(stream_id)
        check_changeable(await self.stream_state(stream_id))
        return await self._append_checked(stream_id, [tombstone()], ANY_VERSION)

    async def truncate_stream(self, stream_id: str, /, *, before: int) -> None:
        """Make versions below ``before`` unreadable; keep the newest snapshot only."""
        _arguments.check_truncate(stream_id, before)
        with map_errors(self._where, self._settings.schema):
            await truncate(self._db, self._lifecycle, stream_id, before)

    async def save_snapshot(self, snapshot: SnapshotRecord, /) -> None:
        """Store a snapshot (replacing one at the same stream and version)."""
        _arguments.check_save_snapshot(snapshot)
        check_snapshot_json(snapshot)
        params = {
            "stream_id": snapshot.stream_id,
            "version": snapshot.version,
            "type": snapshot.type,
            "schema_version": snapshot.schema_version,
            "data": snapshot.data,
        }
        await self._db.read(self._sql.save_snapshot, params)

    async def load_snapshot(
        self, stream_id: str, /, *, max_version: int | None = None
    ) -> SnapshotRecord | None:
        """Return the newest snapshot of a stream at or below ``max_version``, if any."""
        _arguments.check_load_snapshot(stream_id, max_version)
        high = BIGINT_MAX if max_version is None else max_version
        rows = await self._db.read(self._sql.load_snapshot, {"stream_id": stream_id, "high": high})
        return snapshot_record(rows[0]) if rows else None

    async def wait_for_events(self, after: int, /, *, timeout: float) -> bool:
        """Wait until the log holds a position past ``after``; return whether it does.

        Woken by NOTIFY from any process, and by appends through this store; without a
        wake-up it looks again every ``poll_interval`` seconds, so a lost notification
        delays it, never stalls it. A wake-up that finds nothing new yet means a commit
        is waiting behind an older append of this store (the horizon): it looks again
        soon, after 10 ms, 20 ms, 40 ms... up to ``poll_interval``.
        """
        _arguments.check_wait_for_events(after, timeout)
        self._wakeups.listen()
        deadline = time.monotonic() + timeout
        interval = self._settings.poll_interval
        step = interval
        while True:
            since = self._notifier.generation
            if await self.head() > after:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if await self._notifier.async_wait(since, min(left, step)):
                step = _RECHECK
            else:
                step = min(step * 2, interval)

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
        return AsyncPostgresKeyTable(self._db, self._settings.schema)

    async def close(self) -> None:
        """Close the pool and the wake-up connection; the store cannot be used afterwards.

        A store dropped without ``close()`` closes them when it is collected, with a
        ``ResourceWarning`` (``_lifetime.py``).
        """
        self._dropped.detach()
        self._wakeups.close()
        await self._db.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._where} schema={self._settings.schema!r}>"

    async def __aenter__(self) -> Self:
        try:
            await self.open()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
