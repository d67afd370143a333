"""Bulk import on SQLite: one chunk per transaction (``fabula.store._import`` rules).

A chunk is: ``BEGIN IMMEDIATE`` (the write lock, so the versions read next hold until
the commit), the chunk's stored stream versions in one ``SELECT``, the version checks,
every event in one ``executemany`` with explicit positions after the last one handed
out, the append hooks, ``COMMIT``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from fabula.store._hooks import AppendHooks
from fabula.store._import import ImportedEvent, check_lifecycle, check_versions, duplicate_in
from fabula.store._records import category_of
from fabula.store.sqlite import _sql
from fabula.store.sqlite._ops import rollback
from fabula.store.sqlite._rows import EPOCH, decode_events

__all__ = ["import_chunk"]

_ONE_MICROSECOND = timedelta(microseconds=1)


def _micros(when: datetime | None, now: int) -> int:
    return now if when is None else (when - EPOCH) // _ONE_MICROSECOND


def import_chunk(
    conn: sqlite3.Connection,
    chunk: Sequence[ImportedEvent],
    first_line: int,
    imported: int,
    hooks: AppendHooks | None,
) -> int:
    """Write one checked chunk in one transaction; return the last position written."""
    conn.execute(_sql.BEGIN_IMMEDIATE)
    try:
        names = json.dumps(list(dict.fromkeys(e.stream_id for e in chunk)))
        stored = dict(conn.execute(_sql.STREAM_VERSIONS, (names,)).fetchall())
        statuses = dict(conn.execute(_sql.STATUSES, (names,)).fetchall())
        check_lifecycle(chunk, first_line, imported, lambda s: statuses.get(s, "live"))
        check_versions(chunk, first_line, imported, stored)
        last = conn.execute(_sql.LAST_POSITION).fetchone()[0]
        now = time.time_ns() // 1000
        rows: list[tuple[Any, ...]] = [
            (
                last + i,
                e.stream_id,
                e.version,
                e.event_id.bytes,
                e.type,
                e.schema_version,
                e.data,
                e.metadata,
                None if e.causation_id is None else e.causation_id.bytes,
                None if e.correlation_id is None else e.correlation_id.bytes,
                _micros(e.recorded_at, now),
                category_of(e.stream_id),
            )
            for i, e in enumerate(chunk, 1)
        ]
        conn.executemany(_sql.INSERT_EVENT, rows)
        if hooks is not None and hooks.active and hooks.wanted({e.type for e in chunk}):
            records = decode_events([(*row[:5], row[6], row[5], *row[7:11]) for row in rows])
            for hook, chosen in hooks.calls(records):
                hook(conn, chosen)
        conn.execute(_sql.COMMIT)
    except sqlite3.IntegrityError:
        rollback(conn, nested=False)
        found = []
        for event in chunk:
            if conn.execute(_sql.EVENT_BY_ID, (event.event_id.bytes,)).fetchone() is not None:
                found.append(event.event_id)
                break
        refused = duplicate_in(chunk, found, first_line, imported)
        raise refused from refused.__cause__
    except BaseException:
        rollback(conn, nested=False)
        raise
    return int(last + len(chunk))
