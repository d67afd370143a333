"""Bulk import on PostgreSQL: one chunk per transaction, its events through COPY.

Rules (with ``fabula.store._import``'s):
1. The transaction announces itself first (``_ordering.py`` rule 6), so the horizon
   waits for it: a subscriber never skips an imported event.
2. It locks the rows of the chunk's existing streams (``FOR UPDATE``, in the order of
   their ids, as ``append_many`` does: no deadlock), checks the versions, updates those
   rows and inserts the new streams' (a stream created meanwhile refuses the chunk).
3. Its first position is the one an append would get (``APPEND_BASE``); the events get
   that position + their index in the chunk, so a chunk holds at most ``MAX_APPEND``.
4. The events go in with one ``COPY``; then the append hooks run, as for an append.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from psycopg import AsyncConnection, errors
from psycopg.rows import TupleRow

from fabula._errors import ConcurrencyError, ImportRefused
from fabula._postgres._errors import is_violation_of
from fabula.store._hooks import AppendHooks
from fabula.store._import import ImportedEvent, check_lifecycle, check_versions, duplicate_in
from fabula.store._records import StreamStatus
from fabula.store.postgres._bulk_base import BulkStatements, copy_text
from fabula.store.postgres._driver_async import AsyncDatabase
from fabula.store.postgres._hooks_async import run_hooks
from fabula.store.postgres._sql import EVENT_ID_KEY, Statements

__all__ = ["import_chunk"]


async def import_chunk(
    db: AsyncDatabase,
    hooks: AppendHooks,
    statements: Statements,
    bulk: BulkStatements,
    chunk: Sequence[ImportedEvent],
    first_line: int,
    imported: int,
) -> int:
    """Write one checked chunk in one transaction; return the last position written."""
    try:
        return await db.transaction(
            lambda conn: _write(conn, hooks, statements, bulk, chunk, first_line, imported)
        )
    except errors.UniqueViolation as exc:
        if not is_violation_of(exc, EVENT_ID_KEY):
            cause = ConcurrencyError(chunk[0].stream_id, "a stream of the chunk is new", 0)
            raise ImportRefused(
                first_line, imported, "a stream of this chunk was created meanwhile"
            ) from cause
    rows = await db.rows(bulk.stored_ids, {"ids": [e.event_id for e in chunk]})
    raise duplicate_in(chunk, [row[0] for row in rows], first_line, imported)


async def _write(
    conn: AsyncConnection[TupleRow],
    hooks: AppendHooks,
    statements: Statements,
    bulk: BulkStatements,
    chunk: Sequence[ImportedEvent],
    first_line: int,
    imported: int,
) -> int:
    announced = await conn.execute(statements.announce)  # rule 1: first of all
    assert await announced.fetchone() == (True,), "an id was taken before the announcement"
    ids = list(dict.fromkeys(e.stream_id for e in chunk))
    locked = await conn.execute(bulk.lock_streams, {"ids": ids})
    stored = {row[0]: int(row[1]) for row in await locked.fetchall()}
    found_statuses = await conn.execute(bulk.statuses, {"ids": ids})
    statuses: dict[str, StreamStatus] = {row[0]: row[1] for row in await found_statuses.fetchall()}
    check_lifecycle(chunk, first_line, imported, lambda s: statuses.get(s, "live"))
    heads = check_versions(chunk, first_line, imported, stored)
    new = [s for s in heads if s not in stored]
    old = [s for s in heads if s in stored]
    if new:
        await conn.execute(bulk.insert_streams, {"ids": new, "versions": [heads[s] for s in new]})
    if old:
        await conn.execute(bulk.update_streams, {"ids": old, "versions": [heads[s] for s in old]})
    found = await (await conn.execute(bulk.base)).fetchone()
    assert found is not None
    base: int = found[0]
    now: datetime = found[1]
    async with conn.cursor().copy(bulk.copy) as copy:
        await copy.write(copy_text(chunk, base, now))
    await run_hooks(conn, hooks, statements, [e.event_id for e in chunk])
    return base + len(chunk) - 1
