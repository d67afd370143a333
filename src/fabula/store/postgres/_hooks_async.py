"""Append hooks on PostgreSQL: the hooked append, and adding a hook (``fabula.store._hooks``).

Rules:
1. An append that a hook wants (one added, or being added) runs in a transaction: the
   append statement; if it wrote events, their records read back in that transaction and
   the hooks that want them; ``COMMIT``. Other appends stay one autocommit statement.
2. The hooked append reads the list of hooks *after* its statement, which holds a
   ``ROW EXCLUSIVE`` lock on ``events`` until the append ends.
3. Adding a hook: reserve its types (from then on, appends of them take the hooked path),
   wait for the plain appends that began before the reservation, then one transaction:
   ``LOCK events IN SHARE MODE`` (it waits for every append under way, in any process,
   and holds off new ones; taken by ``lock_log()`` as the schema's owner, migration
   0004), ``attach(tx)``, the catch-up, the hook added, ``COMMIT``.

Theory of operation: by rule 3, every append that committed before the lock was granted
is visible to the catch-up, and no append runs until the commit. An append whose statement
ran before the lock committed before it (rule 2: it held ``ROW EXCLUSIVE``); one whose
statement waited for the lock reads the hooks after it, with the new hook listed. Plain
appends do not read the list at all: none of them can still be running (rule 3's wait),
and new ones are not of the reserved types. So each append of this process calls the
hook or is in its catch-up, never both nor neither. Appends of other processes are in the
catch-up if they committed before the lock; later ones call the hooks of their process.
The catch-up needs no horizon (``_ordering.py``): with appends held off, every committed
event is final.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, TypeAlias
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from fabula.store._hooks import REPLAY_PAGE, AppendHooks, ReplayFrom
from fabula.store._records import NewEvent, StoredEvent
from fabula.store.postgres._driver_async import AsyncDatabase
from fabula.store.postgres._in_doubt import Attempts
from fabula.store.postgres._rows import stored_event
from fabula.store.postgres._sql import Statements

__all__ = ["AsyncAppendHook", "AsyncAttachHook", "add_hook", "run_hooks", "write_append"]

_DRAIN = 1.0  # longest wait for older plain appends between looks (they notify as they end)

AsyncAppendHook: TypeAlias = Callable[
    [AsyncConnection[Any], Sequence[StoredEvent]], Awaitable[object]
]
"""``await hook(tx, records)``: called in an append's transaction, before it commits."""

AsyncAttachHook: TypeAlias = Callable[[AsyncConnection[Any]], Awaitable[ReplayFrom]]
"""``await attach(tx)``: called once when a hook is added; may return a position to replay from."""


async def write_append(
    db: AsyncDatabase,
    hooks: AppendHooks,
    statements: Statements,
    statement: bytes,
    params: Mapping[str, Any],
    events: Sequence[NewEvent],
    attempts: Attempts,
) -> list[TupleRow]:
    """Run an append ``statement``: alone, or in a transaction with its hooks (rule 1).

    psycopg errors come out as they are, for the append to tell what they mean; a lost
    reply is marked in ``attempts`` (``_in_doubt.py``).
    """
    ticket = hooks.begin({e.type for e in events})
    if ticket is None:
        return await db.transaction(
            lambda conn: _hooked_append(conn, hooks, statements, statement, params),
            attempts=attempts,
        )
    try:
        return await db.rows(statement, params, attempts=attempts)
    finally:
        hooks.end(ticket)


async def _hooked_append(
    conn: AsyncConnection[TupleRow],
    hooks: AppendHooks,
    statements: Statements,
    statement: bytes,
    params: Mapping[str, Any],
) -> list[TupleRow]:
    """Run the append ``statement``, then the hooks that want its events (rules 1 and 2)."""
    cursor = await conn.execute(statement, params)
    rows = await cursor.fetchall()
    if rows:
        await run_hooks(conn, hooks, statements, params["event_ids"])
    return rows


async def run_hooks(
    conn: AsyncConnection[TupleRow],
    hooks: AppendHooks,
    statements: Statements,
    event_ids: Sequence[UUID],
) -> None:
    """Read back the events just written, in log order, and call the hooks that want them.

    The list of hooks is read now, after the append's statements (rule 2).
    """
    if not hooks.active:
        return
    cursor = await conn.execute(statements.find_events, {"event_ids": list(event_ids)})
    records = [stored_event(row) for row in await cursor.fetchall()]
    for hook, chosen in hooks.calls(records):
        await hook(conn, chosen)


async def add_hook(
    db: AsyncDatabase,
    hooks: AppendHooks,
    statements: Statements,
    hook: AsyncAppendHook,
    types: Collection[str] | None,
    attach: AsyncAttachHook | None,
) -> None:
    """Reserve ``types``, wait for older plain appends, then add ``hook`` (rule 3).

    psycopg errors come out as they are; on any failure the hook is not added.
    """
    reservation = hooks.reserve(types)
    try:
        while True:
            since = hooks.ended.generation
            if not hooks.plain_before(reservation):
                break
            await hooks.ended.async_wait(since, _DRAIN)
        await db.transaction(lambda conn: _add_hook(conn, hooks, statements, hook, types, attach))
    except BaseException:
        hooks.remove(hook)  # also when it was added and only the COMMIT failed
        raise
    finally:
        hooks.release(reservation)


async def _add_hook(
    conn: AsyncConnection[TupleRow],
    hooks: AppendHooks,
    statements: Statements,
    hook: AsyncAppendHook,
    types: Collection[str] | None,
    attach: AsyncAttachHook | None,
) -> None:
    """Lock out appends, run ``attach``, let ``hook`` catch up, and add it (rule 3)."""
    await conn.execute(statements.lock_log)
    after = None if attach is None else await attach(conn)
    while after is not None:
        params: dict[str, Any] = {"after": after, "limit": REPLAY_PAGE}
        if types is None:
            cursor = await conn.execute(statements.events_after, params)
        else:
            params["types"] = list(types)
            cursor = await conn.execute(statements.events_after_types, params)
        page = [stored_event(row) for row in await cursor.fetchall()]
        if page:
            await hook(conn, page)
        after = page[-1].position if len(page) == REPLAY_PAGE else None
    hooks.add(hook, types)
