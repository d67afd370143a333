# Generated from _batch_async.py by tools/unasync.py: do not edit, edit the source.
"""``append_many`` on PostgreSQL: several streams' appends in one transaction.

Rules:
1. One transaction announces itself first (``_ordering.py`` rule 6), then takes the
   streams' rows in the order of their ids, so two batches lock shared streams in one
   order and never deadlock. When every append has events, the batch is one statement
   (``_sql._APPEND_BATCH``), alone in autocommit like a one-stream append unless a hook
   wants its events (``_hooks.py`` rule 1): one round trip, one plan, one
   lifecycle trigger call. Otherwise each append runs its own statement (``_sql.py``),
   in that order, pipelined (one round trip for the batch), and their results are read
   afterwards. Events are numbered in the order of the appends (every position of a
   transaction derives from its one transaction id, ``_ordering.py`` rule 1), whatever
   order the streams are locked in. The hooks then get every event of the batch at
   once, in log order.
2. An append without events locks its stream's row and checks its precondition: that
   stream cannot move until the commit. A stream that does not exist gets a placeholder
   row, deleted before the commit: until then, whoever creates the stream waits on its
   key (a unique index entry of a running transaction), then finds it free. So two
   batches that each create one stream and assert that the other's does not exist
   cannot both commit. (With ``AnyVersion`` it only reads the version, ``FOR SHARE``.)
3. A statement that writes nothing (its precondition failed; for the one statement, a
   refused stream's events have no version, which fails it whole) or an event id already
   stored rolls everything back. Then, outside the transaction: the call is a retry
   (``replayed_batch``: the first call's results; first-time ones if this call's own
   commit lost its reply, ``_in_doubt.py``), or a precondition fails
   (``ConcurrencyError``), or every precondition holds by now and the call runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psycopg import Connection, Cursor, errors
from psycopg.rows import TupleRow

from fabula._errors import ConcurrencyError
from fabula._postgres._errors import is_violation_of
from fabula.store._batch import StreamAppend, replayed_batch
from fabula.store._hooks import AppendHooks
from fabula.store._preconditions import AnyVersion, check
from fabula.store._records import AppendResult, NewEvent
from fabula.store.postgres._batch_base import Found, Planned, Versions, _plan, _Refused, _version_in
from fabula.store.postgres._driver import Database
from fabula.store.postgres._hooks import run_hooks, write_append
from fabula.store.postgres._in_doubt import Attempts, settled
from fabula.store.postgres._rows import batch_params
from fabula.store.postgres._sql import (
    EVENT_ID_KEY,
    REFUSED_COLUMN,
    STREAM_VERSION_KEY,
    Statements,
)

__all__ = ["append_many"]

_ROUNDS = 16  # as for one append: each round needs another writer to have moved on


def append_many(
    db: Database,
    hooks: AppendHooks,
    statements: Statements,
    appends: Sequence[StreamAppend],
    find: Callable[[Sequence[NewEvent]], Found],
    versions_of: Callable[[list[str]], Versions],
) -> list[AppendResult]:
    """Run ``appends`` in one transaction; psycopg errors other than rule 3's come out."""
    whole = all(a.events for a in appends)
    planned = [] if whole else _plan(statements, appends)
    params = batch_params(appends) if whole else {}
    versions: dict[str, int] = {}
    attempts = Attempts()
    for _ in range(_ROUNDS):
        try:
            if whole:
                return _write_whole(db, hooks, statements, appends, params, attempts)
            return db.transaction(
                lambda conn: _write(conn, hooks, statements, planned), attempts=attempts
            )
        except errors.UniqueViolation as exc:
            if not (is_violation_of(exc, EVENT_ID_KEY) or is_violation_of(exc, STREAM_VERSION_KEY)):
                raise
        except errors.NotNullViolation as exc:
            if exc.diag.column_name != REFUSED_COLUMN:
                raise
        except _Refused:
            pass
        stored = find([e for a in appends for e in a.events])
        versions = versions_of([a.stream_id for a in appends])
        replay = replayed_batch(appends, stored, _version_in(versions))
        if replay is not None:
            return [settled(result, attempts) for result in replay]
        for append in appends:
            check(append.precondition, append.stream_id, versions.get(append.stream_id, 0))
    first = appends[0]
    raise ConcurrencyError(
        first.stream_id, str(first.precondition), versions.get(first.stream_id, 0)
    )


def _write(
    conn: Connection[TupleRow],
    hooks: AppendHooks,
    statements: Statements,
    planned: Sequence[Planned],
) -> list[AppendResult]:
    results: list[AppendResult] = [AppendResult(a.stream_id, 0, ()) for a, _, _ in planned]
    # Streams are locked in the order of their ids (rule 1): two batches never deadlock.
    # The statements go out in one pipeline: one round trip, not one per stream.
    order = sorted(range(len(planned)), key=lambda i: planned[i][0].stream_id)
    placeholders: list[str] = []
    with conn.pipeline():
        announced = conn.execute(statements.announce)  # rule 1: first of all
        sent: list[tuple[int, Cursor[TupleRow] | None, Cursor[TupleRow]]] = []
        for index in order:
            append, statement, params = planned[index]
            if statement is not None:
                sent.append((index, None, conn.execute(statement, params)))
                continue
            # Rule 2: an append without events; its stream may not exist yet.
            key = {"stream_id": append.stream_id}
            held = None
            if not isinstance(append.precondition, AnyVersion):
                held = conn.execute(statements.hold_stream, key)
            lock = statements.stream_version_locked if held is None else statements.stream_version
            sent.append((index, held, conn.execute(lock, key)))
        # Rule 1: no transaction id before the announcement (``_ordering.py`` rule 6).
        assert announced.fetchone() == (True,), "an id was taken before the announcement"
        for index, held, cursor in sent:
            append = planned[index][0]
            placeholder = held is not None and held.fetchall() != []
            rows = cursor.fetchall()
            if not append.events:
                current = 0 if placeholder or not rows else int(rows[0][0])
                if placeholder:
                    placeholders.append(append.stream_id)
                check(append.precondition, append.stream_id, current)
                results[index] = AppendResult(append.stream_id, current, ())
                continue
            if not rows:
                raise _Refused
            positions = tuple(sorted(row[0] for row in rows))
            results[index] = AppendResult(append.stream_id, max(row[1] for row in rows), positions)
    if placeholders:
        conn.execute(statements.drop_placeholders, {"stream_ids": placeholders})
    run_hooks(conn, hooks, statements, [e.event_id for a, _, _ in planned for e in a.events])
    return results


def _write_whole(
    db: Database,
    hooks: AppendHooks,
    statements: Statements,
    appends: Sequence[StreamAppend],
    params: dict[str, Any],
    attempts: Attempts,
) -> list[AppendResult]:
    """Rule 1's one statement, for a batch whose every append has events."""
    events = [e for a in appends for e in a.events]
    rows = write_append(db, hooks, statements, statements.append_batch, params, events, attempts)
    found: dict[str, list[tuple[int, int]]] = {}
    for position, stream_id, version in rows:
        found.setdefault(stream_id, []).append((position, version))
    results = []
    for append in appends:
        mine = sorted(found[append.stream_id])
        results.append(AppendResult(append.stream_id, mine[-1][1], tuple(p for p, _ in mine)))
    return results
