"""The stream lifecycle on SQLite: archive, delete, truncate (rules in ``store/_lifecycle``).

Each change is one ``BEGIN IMMEDIATE`` transaction on the writer, so no append slips
between the check of a stream's state and the change. A stream's lifecycle is one row of
``stream_lifecycle`` (none for a live, whole stream); appends and reads look it up
(``_ops.lifecycle``).
"""

from __future__ import annotations

import sqlite3
import time

from fabula.store._hooks import AppendHooks
from fabula.store._lifecycle import (
    check_changeable,
    check_truncate_range,
    tombstone,
)
from fabula.store._records import AppendResult, StreamState, StreamStatus
from fabula.store.sqlite import _sql
from fabula.store.sqlite._ops import _insert, rollback

__all__ = ["archive", "delete", "stream_state", "truncate"]

STATE = (
    "SELECT coalesce((SELECT max(version) FROM events WHERE stream_id = ?1), 0), "
    "coalesce((SELECT status FROM stream_lifecycle WHERE stream_id = ?1), 'live'), "
    "coalesce((SELECT truncated_before FROM stream_lifecycle WHERE stream_id = ?1), 1)"
)
SET_STATE = (
    "INSERT INTO stream_lifecycle (stream_id, status, truncated_before) VALUES (?, ?, ?) "
    "ON CONFLICT (stream_id) DO UPDATE SET status = excluded.status, "
    "truncated_before = excluded.truncated_before"
)
DROP_OLD_SNAPSHOTS = (
    "DELETE FROM snapshots WHERE stream_id = ?1 "
    "AND version < (SELECT max(version) FROM snapshots WHERE stream_id = ?1)"
)


def stream_state(conn: sqlite3.Connection, stream_id: str) -> StreamState:
    """Return the stream's version, lifecycle status and first readable version."""
    version, status, truncated_before = conn.execute(STATE, (stream_id,)).fetchone()
    return StreamState(stream_id, version, status, truncated_before)


def archive(conn: sqlite3.Connection, stream_id: str, status: StreamStatus) -> None:
    """Set an existing stream's status to ``"archived"`` or ``"live"``."""
    conn.execute(_sql.BEGIN_IMMEDIATE)
    try:
        state = stream_state(conn, stream_id)
        check_changeable(state)
        conn.execute(SET_STATE, (stream_id, status, state.truncated_before))
        conn.execute(_sql.COMMIT)
    except BaseException:
        rollback(conn, nested=False)
        raise


def delete(conn: sqlite3.Connection, stream_id: str, hooks: AppendHooks) -> AppendResult:
    """Append the tombstone and mark the stream deleted, in one transaction."""
    conn.execute(_sql.BEGIN_IMMEDIATE)
    try:
        state = stream_state(conn, stream_id)
        check_changeable(state)
        last = conn.execute(_sql.LAST_POSITION).fetchone()[0]
        _insert(conn, stream_id, [tombstone()], state.version, last, time.time_ns() // 1000, hooks)
        conn.execute(SET_STATE, (stream_id, "deleted", state.truncated_before))
        conn.execute(_sql.COMMIT)
    except BaseException:
        rollback(conn, nested=False)
        raise
    return AppendResult(stream_id, state.version + 1, (last + 1,))


def truncate(conn: sqlite3.Connection, stream_id: str, before: int) -> None:
    """Move the stream's first readable version up to ``before``; keep the newest snapshot."""
    conn.execute(_sql.BEGIN_IMMEDIATE)
    try:
        state = stream_state(conn, stream_id)
        check_truncate_range(state, before)
        if before > state.truncated_before:
            conn.execute(SET_STATE, (stream_id, state.status, before))
            conn.execute(DROP_OLD_SNAPSHOTS, (stream_id,))
        conn.execute(_sql.COMMIT)
    except BaseException:
        rollback(conn, nested=False)
        raise
