# Generated from _lifecycle_async.py by tools/unasync.py: do not edit, edit the source.
"""The stream lifecycle on PostgreSQL: archive, unarchive, truncate (``store/_lifecycle``).

Each change is one transaction that first locks the stream's row (``FOR UPDATE``): an
append of the stream takes that row too, so none runs between the check and the change.
``delete_stream`` is an append of the tombstone (``_store.py``), which the trigger of
migration 0003 turns into the deleted status in the same transaction.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.rows import TupleRow

from fabula.store._lifecycle import check_changeable, check_truncate_range
from fabula.store._records import StreamState, StreamStatus
from fabula.store.postgres._driver import Database
from fabula.store.postgres._lifecycle_sql import LifecycleStatements

__all__ = ["archive", "lifecycle", "truncate"]


def lifecycle(
    db: Database, statements: LifecycleStatements, stream_id: str
) -> tuple[StreamStatus, int]:
    """Return a stream's status and first readable version."""
    rows = db.read(statements.lifecycle, {"stream_id": stream_id})
    return ("live", 1) if not rows else (rows[0][0], int(rows[0][1]))


def _locked_state(
    conn: Connection[TupleRow], statements: LifecycleStatements, stream_id: str
) -> StreamState:
    params = {"stream_id": stream_id}
    found = (conn.execute(statements.lock_stream, params)).fetchall()
    version = int(found[0][0]) if found else 0
    rows = (conn.execute(statements.lifecycle, params)).fetchall()
    if not rows:
        return StreamState(stream_id, version)
    return StreamState(stream_id, version, rows[0][0], int(rows[0][1]))


def archive(
    db: Database, statements: LifecycleStatements, stream_id: str, status: StreamStatus
) -> None:
    """Set an existing stream's status to ``"archived"`` or ``"live"``."""

    def work(conn: Connection[TupleRow]) -> None:
        state = _locked_state(conn, statements, stream_id)
        check_changeable(state)
        params: dict[str, Any] = {
            "stream_id": stream_id,
            "status": status,
            "truncated_before": state.truncated_before,
        }
        conn.execute(statements.set_state, params)

    db.transaction(work)


def truncate(db: Database, statements: LifecycleStatements, stream_id: str, before: int) -> None:
    """Move the stream's first readable version up to ``before``; keep the newest snapshot."""

    def work(conn: Connection[TupleRow]) -> None:
        state = _locked_state(conn, statements, stream_id)
        check_truncate_range(state, before)
        if before <= state.truncated_before:
            return
        params: dict[str, Any] = {
            "stream_id": stream_id,
            "status": state.status,
            "truncated_before": before,
        }
        conn.execute(statements.set_state, params)
        conn.execute(statements.drop_old_snapshots, {"stream_id": stream_id})

    db.transaction(work)
