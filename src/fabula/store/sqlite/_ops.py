"""The store's operations as plain functions of a ``sqlite3.Connection``.

Both ``SqliteStore`` and ``AsyncSqliteStore`` run these through ``_driver``: writes on the
one writer connection under a lock, reads on a reader connection. Connections are in
autocommit mode (``isolation_level=None``); ``append`` manages its own transaction.

Theory of operation of ``append``:
1. ``BEGIN IMMEDIATE`` takes SQLite's single write lock, so the stream's version read next
   cannot change before commit, and positions are handed out in commit order.
2. One statement reads the stream's version, its lifecycle status and the last position
   ever used (``append_many``: one for every stream's version and status); the events get
   versions current+1.. and positions last+1.. (written explicitly, so the result needs no
   read-back), one ``executemany``, ``COMMIT``. A stream's version is the top of its
   ``(stream_id, version)`` index entries: SQLite has no ``streams`` table to keep
   (ADR 0026); the write lock is what serialises appends.
3. Only when something fails (precondition, lifecycle, ``UNIQUE(event_id)``) does it roll back
   and look up the stored events with the batch's ids: ``replayed_append`` then tells a retry
   (the original result, ``deduplicated=True``) from a reuse (``DuplicateEvent``).
4. Any other failure rolls the whole batch back: nothing of a failed append is stored.
5. Append hooks (``fabula.store._hooks``) run after the inserts and before ``COMMIT``, with
   this connection; the records they get are built from the batch, not read back. A
   hook is registered by ``attach_hook`` under the same write lock, so no append of this
   process runs between its catch-up and its registration.
6. ``append`` and ``append_many`` may run inside a group's transaction (``_group``: the
   appends of several threads, one commit). Then ``begin`` opens a savepoint instead of
   a transaction, ``commit`` releases it and ``rollback`` undoes the append alone; what
   the append returns holds only once the group commits, which ``_group`` sees to.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from fabula._errors import (
    ConcurrencyError,
    ConfigurationError,
    StreamArchived,
    StreamDeleted,
    StreamNotFound,
)
from fabula.store._batch import StreamAppend, check_batch, replayed_batch
from fabula.store._dedupe import replayed_append
from fabula.store._hooks import REPLAY_PAGE, AppendHooks, ReplayFrom
from fabula.store._lifecycle import check_appendable, check_readable
from fabula.store._preconditions import Precondition, check
from fabula.store._records import (
    AppendResult,
    Direction,
    NewEvent,
    SnapshotRecord,
    StoredEvent,
    StreamInfo,
    StreamStatus,
    category_of,
    stored_events,
)
from fabula.store.sqlite import _sql
from fabula.store.sqlite._rows import EPOCH, decode_events

__all__ = [
    "append",
    "append_many",
    "attach_hook",
    "count_streams",
    "head",
    "lifecycle",
    "list_streams",
    "load_snapshot",
    "read_all",
    "read_caused_by",
    "read_stream",
    "save_snapshot",
    "stream_version",
]


def append(
    conn: sqlite3.Connection,
    stream_id: str,
    events: Sequence[NewEvent],
    precondition: Precondition,
    hooks: AppendHooks | None = None,
) -> AppendResult:
    """Append ``events`` to a stream if ``precondition`` holds, in one transaction.

    ``hooks`` that want some of the events run before the commit (rule 5).
    """
    nested = begin(conn)
    try:
        current, last, status = conn.execute(_sql.APPEND_STATE, (stream_id,)).fetchone()
        check_appendable(stream_id, status)
        check(precondition, stream_id, current)
        if not events:
            rollback(conn, nested=nested)
            return AppendResult(stream_id, current, ())
        now = time.time_ns() // 1000
        _insert(conn, stream_id, events, current, last, now, hooks)
        version = current + len(events)
        commit(conn, nested=nested)
    except (
        ConcurrencyError,
        StreamNotFound,
        StreamArchived,
        StreamDeleted,
        sqlite3.IntegrityError,
    ) as exc:
        rollback(conn, nested=nested)
        replay = replayed_append(stream_id, events, _stored_with_ids(conn, events))
        if replay is not None:
            return replay
        repeats_an_id = len({e.event_id for e in events}) != len(events)
        if isinstance(exc, sqlite3.IntegrityError) and repeats_an_id:
            msg = f"stream {stream_id!r}: the same event id appears twice in one append"
            raise ConfigurationError(msg) from exc
        raise
    except BaseException:
        rollback(conn, nested=nested)
        raise
    return AppendResult(stream_id, version, tuple(range(last + 1, last + len(events) + 1)))


def append_many(
    conn: sqlite3.Connection, appends: Sequence[StreamAppend], hooks: AppendHooks | None = None
) -> list[AppendResult]:
    """Append to several streams in one transaction (``fabula.store._batch``), as ``append``.

    A handful of statements whatever the batch's size: the streams' versions in one
    ``SELECT``, every event in one ``executemany``.
    """
    check_batch(appends)
    nested = begin(conn)
    try:
        now = time.time_ns() // 1000
        names = json.dumps([a.stream_id for a in appends])
        state = conn.execute(_sql.BATCH_STATE, (names,)).fetchall()
        versions = {stream_id: version for stream_id, version, _ in state if version}
        last = conn.execute(_sql.LAST_POSITION).fetchone()[0]
        rows, records, results = [], [], []
        for stream_id, _, status in state:  # every stream's lifecycle before any precondition
            if status is not None:
                check_appendable(stream_id, status)
        for item in appends:
            stream_id, events = item.stream_id, item.events
            current = versions.get(stream_id, 0)
            check(item.precondition, stream_id, current)
            results.append(
                AppendResult(
                    stream_id,
                    current + len(events),
                    tuple(range(last + 1, last + len(events) + 1)),
                )
            )
            if events:
                category = category_of(stream_id)
                rows += _event_rows(stream_id, events, current, last, now, category)
                if hooks is not None and hooks.active:
                    records += _records(stream_id, events, last, current, now)
            last += len(events)
        conn.executemany(_sql.INSERT_EVENT, rows)
        if records and hooks is not None and hooks.wanted({r.type for r in records}):
            for hook, chosen in hooks.calls(records):
                hook(conn, chosen)
        commit(conn, nested=nested)
    except (
        ConcurrencyError,
        StreamNotFound,
        StreamArchived,
        StreamDeleted,
        sqlite3.IntegrityError,
    ):
        rollback(conn, nested=nested)
        stored = _stored_with_ids(conn, [e for a in appends for e in a.events])
        replay = replayed_batch(appends, stored, lambda s: stream_version(conn, s))
        if replay is not None:
            return replay
        raise
    except BaseException:
        rollback(conn, nested=nested)
        raise
    return results


def _event_rows(
    stream_id: str,
    events: Sequence[NewEvent],
    current: int,
    last: int,
    now: int,
    category: str,
) -> list[tuple[Any, ...]]:
    """The ``INSERT_EVENT`` rows of one stream's events, after ``current`` and ``last``."""
    return [
        (
            last + i,
            stream_id,
            current + i,
            e.event_id.bytes,
            e.type,
            e.schema_version,
            e.data,
            e.metadata,
            None if e.causation_id is None else e.causation_id.bytes,
            None if e.correlation_id is None else e.correlation_id.bytes,
            now,
            category,
        )
        for i, e in enumerate(events, 1)
    ]


def _insert(
    conn: sqlite3.Connection,
    stream_id: str,
    events: Sequence[NewEvent],
    current: int,
    last: int,
    now: int,
    hooks: AppendHooks | None,
) -> None:
    """Write ``events`` after ``current`` and ``last``, then run the hooks that want them."""
    category = category_of(stream_id)
    rows = _event_rows(stream_id, events, current, last, now, category)
    if len(rows) == 1:
        conn.execute(_sql.INSERT_EVENT, rows[0])  # a third of executemany's cost for one row
    else:
        conn.executemany(_sql.INSERT_EVENT, rows)
    if hooks is not None and hooks.active and hooks.wanted({e.type for e in events}):
        records = _records(stream_id, events, last, current, now)
        for hook, chosen in hooks.calls(records):
            hook(conn, chosen)


def _records(
    stream_id: str, events: Sequence[NewEvent], last: int, current: int, micros: int
) -> list[StoredEvent]:
    """The records of an append, as ``read_all`` would return them after the commit."""
    recorded_at = EPOCH + timedelta(microseconds=micros)
    return stored_events(
        stream_id, events, last_position=last, last_version=current, recorded_at=recorded_at
    )


def attach_hook(
    conn: sqlite3.Connection,
    hooks: AppendHooks,
    hook: Callable[[sqlite3.Connection, Sequence[StoredEvent]], object],
    types: Collection[str] | None,
    attach: Callable[[sqlite3.Connection], ReplayFrom] | None,
) -> None:
    """Run ``attach``, let ``hook`` catch up, and register it (``_hooks`` rule 3).

    One transaction holds the write lock throughout, and this runs under the writer's
    lock: no append, of this process or another, falls between catch-up and registration.
    """
    conn.execute(_sql.BEGIN_IMMEDIATE)
    try:
        after = None if attach is None else attach(conn)
        while after is not None:
            page = read_all(conn, after, REPLAY_PAGE, types, None)
            if page:
                hook(conn, page)
            after = page[-1].position if len(page) == REPLAY_PAGE else None
        conn.execute(_sql.COMMIT)
    except BaseException:
        rollback(conn, nested=False)
        raise
    hooks.add(hook, types)


def begin(conn: sqlite3.Connection) -> bool:
    """Open an append's transaction; return whether it is nested in a group's (rule 6).

    Alone, it is ``BEGIN IMMEDIATE``; inside a group's transaction (``_group``), a
    savepoint, so that the append commits or rolls back as a whole within the group.
    """
    if conn.in_transaction:
        conn.execute(_sql.SAVEPOINT)
        return True
    conn.execute(_sql.BEGIN_IMMEDIATE)
    return False


def commit(conn: sqlite3.Connection, *, nested: bool) -> None:
    """End what ``begin`` opened: ``COMMIT``, or release the savepoint into the group's."""
    conn.execute(_sql.RELEASE if nested else _sql.COMMIT)


def rollback(conn: sqlite3.Connection, *, nested: bool) -> None:
    """Undo what ``begin`` opened and nothing else: the savepoint, or the transaction."""
    if not conn.in_transaction:
        return  # SQLite rolled back by itself (disk full, I/O): a group's work is gone too
    if nested:
        conn.execute(_sql.ROLLBACK_TO)
        conn.execute(_sql.RELEASE)
    else:
        conn.execute(_sql.ROLLBACK)


def _stored_with_ids(conn: sqlite3.Connection, events: Sequence[NewEvent]) -> list[StoredEvent]:
    rows: list[tuple[Any, ...]] = []
    for event_id in dict.fromkeys(e.event_id for e in events):
        rows.extend(conn.execute(_sql.EVENT_BY_ID, (event_id.bytes,)))
    return decode_events(rows)


def read_stream(
    conn: sqlite3.Connection,
    stream_id: str,
    direction: Direction,
    from_version: int | None,
    to_version: int | None,
    limit: int | None,
) -> list[StoredEvent]:
    """Read a stream's events from ``from_version`` to ``to_version`` (inclusive)."""
    rows = stream_rows(conn, stream_id, direction, from_version, to_version, limit)
    return decode_events(rows.fetchall())


def stream_rows(
    conn: sqlite3.Connection,
    stream_id: str,
    direction: Direction,
    from_version: int | None,
    to_version: int | None,
    limit: int | None,
) -> sqlite3.Cursor:
    """``read_stream``'s rows, not fetched yet (``decode_events`` turns them into records)."""
    sql = _sql.READ_STREAM_BACKWARDS if direction == "backwards" else _sql.READ_STREAM_FORWARDS
    low = check_readable(stream_id, *lifecycle(conn, stream_id), from_version) or 1
    high = _sql.MAX_INT if to_version is None else to_version
    return conn.execute(sql, (stream_id, low, high, _limit(limit)))


def read_all(
    conn: sqlite3.Connection,
    after: int,
    limit: int | None,
    types: Collection[str] | None,
    categories: Collection[str] | None,
) -> list[StoredEvent]:
    """Read the global log after a position, optionally only some types or categories."""
    if (types is not None and not types) or (categories is not None and not categories):
        return []  # an empty filter matches nothing: no need to scan for it
    return decode_events(log_rows(conn, after, limit, types, categories).fetchall())


def log_rows(
    conn: sqlite3.Connection,
    after: int,
    limit: int | None,
    types: Collection[str] | None,
    categories: Collection[str] | None,
) -> sqlite3.Cursor:
    """``read_all``'s rows, not fetched yet; an empty filter is ``read_all``'s to answer."""
    bound = _limit(limit)
    if types is None and categories is None:
        rows = conn.execute(_sql.READ_ALL, (after, bound))
    elif categories is None and types is not None and len(types) == 1:
        (only,) = types
        rows = conn.execute(_sql.READ_ALL_TYPE, (only, after, bound))
    elif types is None and categories is not None and len(categories) == 1:
        (only,) = categories
        rows = conn.execute(_sql.READ_ALL_CATEGORY, (only, after, bound))
    else:
        filters = (_json_list(types), _json_list(categories))
        rows = conn.execute(_sql.READ_ALL_FILTERED, (after, *filters, bound))
    return rows


def read_caused_by(conn: sqlite3.Connection, causation_id: UUID) -> list[StoredEvent]:
    """Read the events whose causation id is ``causation_id``, in log order."""
    return decode_events(conn.execute(_sql.READ_CAUSED_BY, (causation_id.bytes,)).fetchall())


def lifecycle(conn: sqlite3.Connection, stream_id: str) -> tuple[StreamStatus, int]:
    """Return a stream's status and first readable version (ADR 0015)."""
    row = conn.execute(_sql.LIFECYCLE, (stream_id,)).fetchone()
    return ("live", 1) if row is None else (row[0], row[1])


def stream_version(conn: sqlite3.Connection, stream_id: str) -> int:
    """Return the stream's current version (0 if it has no events)."""
    return int(conn.execute(_sql.STREAM_VERSION, (stream_id,)).fetchone()[0])


def head(conn: sqlite3.Connection) -> int:
    """Return the last position of the global log (0 if empty)."""
    position: int = conn.execute(_sql.HEAD).fetchone()[0]
    return position


def list_streams(
    conn: sqlite3.Connection,
    prefix: str,
    after: str | None,
    limit: int | None,
    status: StreamStatus = "live",
) -> list[StreamInfo]:
    """List streams of ``status`` whose id starts with ``prefix``, by id, after ``after``."""
    low = prefix
    if after is not None and after >= prefix:
        # after + NUL is the least string above ``after``: ">=" it means "> after".
        low = after + "\x00"
    high = _prefix_end(prefix)
    if high is None:
        rows = conn.execute(_sql.LIST_STREAMS, (low, status, _limit(limit)))
    else:
        rows = conn.execute(_sql.LIST_STREAMS_BELOW, (low, high, status, _limit(limit)))
    return [StreamInfo(stream_id, version) for stream_id, version in rows]


def count_streams(conn: sqlite3.Connection, prefix: str, status: StreamStatus = "live") -> int:
    """Count streams of ``status`` whose id starts with ``prefix``."""
    high = _prefix_end(prefix)
    if high is None:
        row = conn.execute(_sql.COUNT_STREAMS, (prefix, status)).fetchone()
    else:
        row = conn.execute(_sql.COUNT_STREAMS_BELOW, (prefix, high, status)).fetchone()
    return int(row[0])


def save_snapshot(conn: sqlite3.Connection, snapshot: SnapshotRecord) -> None:
    """Store a snapshot, replacing one at the same stream and version."""
    conn.execute(
        _sql.SAVE_SNAPSHOT,
        (
            snapshot.stream_id,
            snapshot.version,
            snapshot.type,
            snapshot.schema_version,
            snapshot.data,
        ),
    )


def load_snapshot(
    conn: sqlite3.Connection, stream_id: str, max_version: int | None
) -> SnapshotRecord | None:
    """Return the newest snapshot of a stream at or below ``max_version``, if any."""
    high = _sql.MAX_INT if max_version is None else max_version
    row = conn.execute(_sql.LOAD_SNAPSHOT, (stream_id, high)).fetchone()
    if row is None:
        return None
    stream, version, type_, data, schema_version = row
    return SnapshotRecord(
        stream_id=stream, version=version, type=type_, data=data, schema_version=schema_version
    )


def _limit(limit: int | None) -> int:
    # SQLite reads a negative LIMIT as "no limit"; None means that, a negative count nothing.
    return -1 if limit is None else max(limit, 0)


def _json_list(values: Collection[str] | None) -> str | None:
    return None if values is None else json.dumps(list(values))


def _prefix_end(prefix: str) -> str | None:
    """Return the least string above every string starting with ``prefix`` (None: no bound).

    SQLite compares text as UTF-8 bytes, which orders like code points.
    """
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return None
    following = ord(stripped[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be stored: skip to the next scalar
        following = 0xE000
    return stripped[:-1] + chr(following)
