"""Positions in the PostgreSQL log: how many writers append at once and no reader skips.

Rules
-----
1. A position is ``(T + offset) << 16 | i``: ``T`` is the writing transaction's id
   (``pg_current_xact_id()``, a 64-bit ``xid8`` that never wraps), ``offset`` is
   ``log_clock.xid_offset`` (0 unless the log was restored into another cluster, see
   rule 5) and ``i`` is the event's index in its append (so an append holds at most
   65,536 events). Positions are unique, strictly increasing within an append, and
   ordered by transaction id between appends.
2. A reader only returns positions below the *horizon*, ``(log_horizon() + offset) <<
   16``, computed from the very snapshot its query reads with: the oldest transaction
   that snapshot lists as running *and* that may be an append of this store (rule 6),
   or the snapshot's ``xmax`` if there is none.
3. Writers take no exclusive lock. Two appends to one stream are serialized by that
   stream's row in ``streams`` (which also hands out versions); appends to different
   streams never wait for each other, and their commits group in the WAL.
4. ``head()`` is the last position below the horizon; ``wait_for_events`` compares
   ``head()`` with the caller's position, so a wake-up can never overtake the horizon.
5. On open, if the log holds positions at or above the clock of this cluster (a dump
   restored elsewhere), the offset moves forward past them (``migrate="auto"``) or the
   open fails (``migrate="check"``). Positions only ever grow.
6. Every append *announces* itself: it takes the store's advisory lock (``append_key``)
   in shared mode before its transaction has an id, and holds it until the transaction
   ends (PostgreSQL releases it after the commit or abort is recorded). The one-statement
   append reads the lock's CTE in every part that writes or takes the id; a transaction
   (``append_many``, hooked appends) takes it in its first statement.
7. ``running_appends()`` lists the sessions holding the announcement, oldest first: the
   appends that hold the horizon back.

Theory of operation
-------------------
A subscriber reads ``after = last position seen``, so the store must never return a
position while a smaller one may still commit. With a sequence (``bigserial``) that is
exactly what happens: T1 takes position 5, T2 takes 6 and commits, a reader returns 6,
then T1 commits 5 below the reader's checkpoint and the event is lost to it. Most
stores close the gap with one lock held until commit (``LOCK TABLE ... EXCLUSIVE``),
which serializes every writer and every commit flush.

Filtering a sequence by transaction id is not enough either: the sequence order and the
transaction-id order disagree. T1 (xid 99) writes its stream row, T3 (xid 100) starts
some unrelated write, T2 (xid 101) takes position 5 and commits, T1 takes position 6
and commits. The snapshot xmin is now 100 (T3), so "xid < xmin" returns 6 (xid 99) and
hides 5 (xid 101): position 5 is skipped for good.

Deriving the position *from* the transaction id removes the disagreement. Every
transaction id below a snapshot's xmin belongs to a finished transaction, and every
transaction that can still write gets an id at or above it (running ones are listed in
the snapshot; new ones are numbered past xmax). So every position below xmin is final.

But xmin is the oldest writing transaction of the whole *cluster*: any database, any
table, an idle-in-transaction session. The horizon (rule 2) only waits for the running
transactions that may be appends of this store. The snapshot S lists the running ones
(``xip``); ``log_horizon()`` (migration 0002) returns the smallest x in ``xip`` that is
*bound*: first, x is bound if it belongs to a session holding the announcement (read
from ``pg_locks``, and the session's id from its ``transactionid`` lock or, while it has
none yet, its ``backend_xid``); second, x is bound if it is no longer in progress and
wrote to this log (``log_wrote``, read with a fresh snapshot where x has ended). An
x found in progress after the announcement was seen free of it is no append of ours:
an append holds the announcement from before x existed until x stops being in progress
(rule 6). Such an x writes no event, so the horizon passes it.
Everything below the horizon is final in S: ids below it that S does not list are
finished (their rows are visible in S, or rolled back), the listed ones are not ours;
an append still to come gets an id at or above xmax. ADR 0002 spells the proof out.

Costs, and what they buy: positions are sparse (gaps between appends are normal and
carry no meaning); a reader waits for the oldest running append *of this store* before
it sees newer events, so a slow append (one with a slow hook, or a killed client in the
middle of ``append_many``) delays subscribers, never loses events, and
``running_appends()`` names it. Transactions outside the store never delay them. While
some transaction is running, a read costs about 0.1 ms more (``pg_locks`` is read).
"""

from __future__ import annotations

from psycopg import sql

__all__ = [
    "ANNOUNCE",
    "APPEND_BASE",
    "HORIZON",
    "INDEX_BITS",
    "MAX_APPEND",
    "NEXT_XID",
    "append_key",
    "rebased_offset",
]

INDEX_BITS = 16
"""Low bits of a position that number the events of one append."""

MAX_APPEND = 1 << INDEX_BITS
"""Most events one append may hold."""


def append_key(schema: str) -> tuple[sql.Composable, sql.Composable]:
    """The two keys of the advisory lock that announces an append to ``schema``: rule 6.

    They differ from the keys of the listeners (``_wakeups.py``) and of the migrations.
    """
    key2 = sql.SQL("hashtext({})").format(sql.Literal(schema))
    return sql.SQL("hashtext('fabula.append')"), key2


ANNOUNCE = sql.SQL("SELECT pg_advisory_xact_lock_shared({key})")
"""The announcement of an append, taken before its transaction has an id: rule 6."""

APPEND_BASE = sql.SQL(
    "SELECT (pg_current_xact_id()::text::bigint + xid_offset) << 16 AS position"
    " FROM {schema}.log_clock, announced"
)
"""First position of the current transaction (assigns its transaction id): rule 1.

It reads the CTE ``announced`` (``ANNOUNCE``), so the id comes after the announcement.
"""

HORIZON = sql.SQL("SELECT ({schema}.log_horizon({key}) + xid_offset) << 16 FROM {schema}.log_clock")
"""Every position below this is final in the current snapshot: rule 2."""

NEXT_XID = sql.SQL(
    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, xid_offset,"
    " (SELECT max(position) FROM {schema}.events) FROM {schema}.log_clock"
)
"""The next transaction id, the offset and the last position stored: rule 5."""


def rebased_offset(next_xid: int, offset: int, last_position: int | None) -> int | None:
    """Return the offset that puts new positions past ``last_position``, or ``None`` if fine.

    ``next_xid`` is the next transaction id this cluster hands out. Rule 5: a log restored
    into a cluster with a younger clock would otherwise get positions below its own.
    """
    if last_position is None:
        return None
    last_xid = (last_position >> INDEX_BITS) - offset
    if last_xid < next_xid:
        return None
    return (last_position >> INDEX_BITS) - next_xid + 1
