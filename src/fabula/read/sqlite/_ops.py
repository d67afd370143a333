"""The SQLite target's operations, as plain functions of a ``sqlite3.Connection``.

Both ``SqliteTarget`` and ``AsyncSqliteTarget`` run these through ``_driver``, on the one
writer connection, under a lock. Connections are in autocommit mode; every write opens
its own ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock at once, so the
checkpoint read by a compare-and-set cannot change before it commits.

Handlers run inside ``commit``'s transaction with the connection as their ``tx``. What
they raise is classified once, here: "database is locked/busy" is the database's failure
(``StoreError``, retried without parking); anything else is the handler's
(``HandlerError``, retried then parked).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from uuid import UUID

from fabula._errors import ConfigurationError, SchemaError, StoreError
from fabula.read._call import call
from fabula.read._checkpoints import Checkpoint
from fabula.read._dead_letters import DeadLetter
from fabula.read._errors import CheckpointConflict, HandlerError, LeaseLost, ParkedEventNotFound
from fabula.read._failures import Failure
from fabula.read._leases import Claim, Lease
from fabula.read._projection import SetupHook
from fabula.read._scratch import ScratchCopy
from fabula.read._target import Step
from fabula.read.sqlite import _sql

__all__ = [
    "acquire_lease",
    "checkpoint",
    "checkpoints",
    "commit",
    "create_tables",
    "dead_letters",
    "failure",
    "lease",
    "park",
    "prepare",
    "record_failure",
    "release_lease",
    "reset",
    "resolve",
    "scratch_copy",
    "swap_in",
]


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@contextmanager
def _transaction(conn: sqlite3.Connection, begin: str = _sql.BEGIN_IMMEDIATE) -> Iterator[None]:
    conn.execute(begin)
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute(_sql.ROLLBACK)
        raise
    conn.execute(_sql.COMMIT)


def _is_transient(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _apply(conn: sqlite3.Connection, name: str, step: Step) -> None:
    handler, recorded = step
    try:
        call(handler, conn, recorded)
    except Exception as exc:
        if _is_transient(exc):
            msg = f"projection {name!r}: the read-model database is busy: {exc}"
            raise StoreError(msg) from exc
        raise HandlerError.of(name, recorded) from exc


def create_tables(conn: sqlite3.Connection) -> None:
    """Create fabula's checkpoint, lease and dead-letter tables if missing, or upgrade them.

    When they exist, this only reads: opening a target (to show a status, say) must not
    queue for the write lock behind a busy worker.
    """
    if _current(conn):
        return
    with _transaction(conn):
        for statement in _sql.CREATE_TABLES.split(";"):
            if statement.strip():
                conn.execute(statement)
        if not conn.execute(_sql.HAS_FAILURE_COLUMNS).fetchone()[0]:
            for statement in _sql.ADD_FAILURE_COLUMNS:
                conn.execute(statement)


def _current(conn: sqlite3.Connection) -> bool:
    if conn.execute(_sql.COUNT_TABLES).fetchone()[0] != _sql.TABLE_COUNT:
        return False
    return bool(conn.execute(_sql.HAS_FAILURE_COLUMNS).fetchone()[0])


def check_tables(conn: sqlite3.Connection) -> None:
    """Refuse a file without fabula's target tables (a read-only target creates none)."""
    if conn.execute(_sql.COUNT_TABLES).fetchone()[0] != _sql.TABLE_COUNT:
        path = conn.execute("PRAGMA database_list").fetchone()[2]
        msg = f"no fabula read models in SQLite database {path!r} (fabula's tables are missing)"
        raise SchemaError(msg)


def prepare(conn: sqlite3.Connection, name: str, setup: Sequence[SetupHook]) -> None:
    """Create the checkpoint of ``name`` at 0 if missing and run ``setup``, in one transaction."""
    with _transaction(conn):
        conn.execute(_sql.INSERT_CHECKPOINT, (name, time.time()))
        for hook in setup:
            try:
                call(hook, conn)
            except Exception as exc:
                if _is_transient(exc):
                    raise
                msg = f"projection {name!r}: its setup failed: {exc}"
                raise ConfigurationError(msg) from exc


def checkpoint(conn: sqlite3.Connection, name: str) -> Checkpoint:
    """Return the checkpoint of ``name`` (position 0 if it has none)."""
    row = conn.execute(_sql.CHECKPOINT, (name,)).fetchone()
    return Checkpoint(name, 0) if row is None else Checkpoint(name, row[0], _time(row[1]))


def checkpoints(conn: sqlite3.Connection) -> list[Checkpoint]:
    """Return every checkpoint, by name."""
    rows = conn.execute(_sql.CHECKPOINTS).fetchall()
    return [Checkpoint(name, position, _time(at)) for name, position, at in rows]


def _claim(conn: sqlite3.Connection, name: str, claim: Claim) -> None:
    now = time.time()
    renewed = conn.execute(_sql.RENEW_LEASE, (now + claim.ttl, name, claim.owner, now))
    if renewed.rowcount != 1:
        raise LeaseLost(name, owner=claim.owner)


def _move(conn: sqlite3.Connection, name: str, after: int, position: int) -> None:
    moved = conn.execute(_sql.MOVE_CHECKPOINT, (position, time.time(), name, after))
    if moved.rowcount != 1:
        row = conn.execute(_sql.CHECKPOINT, (name,)).fetchone()
        raise CheckpointConflict(name, expected=after, actual=None if row is None else row[0])


def commit(
    conn: sqlite3.Connection,
    name: str,
    *,
    after: int,
    position: int,
    steps: Sequence[Step],
    claim: Claim | None,
    parked: DeadLetter | None,
) -> None:
    """Apply ``steps`` and move the checkpoint from ``after`` to ``position``, atomically."""
    with _transaction(conn):
        if claim is not None:
            _claim(conn, name, claim)
        _move(conn, name, after, position)
        for step in steps:
            _apply(conn, name, step)
        conn.execute(_sql.DELETE_LETTERS_BETWEEN, (name, after, position))
        if parked is not None:
            _park(conn, parked)


def _park(conn: sqlite3.Connection, letter: DeadLetter) -> None:
    conn.execute(
        _sql.UPSERT_LETTER,
        (
            letter.name,
            letter.position,
            letter.stream_id,
            letter.version,
            str(letter.event_id),
            letter.type,
            letter.error,
            letter.details,
            letter.attempts,
            letter.parked_at.timestamp(),
        ),
    )


def park(conn: sqlite3.Connection, letter: DeadLetter) -> None:
    """Record (or update) a dead letter without moving the checkpoint."""
    with _transaction(conn):
        _park(conn, letter)


def dead_letters(conn: sqlite3.Connection, name: str | None) -> list[DeadLetter]:
    """Return the parked events of one projection (or all), by name and position."""
    rows = (
        conn.execute(_sql.DEAD_LETTERS).fetchall()
        if name is None
        else conn.execute(_sql.DEAD_LETTERS_OF, (name,)).fetchall()
    )
    return [
        DeadLetter(
            name=row[0],
            position=row[1],
            stream_id=row[2],
            version=row[3],
            event_id=UUID(row[4]),
            type=row[5],
            error=row[6],
            details=row[7],
            attempts=row[8],
            parked_at=datetime.fromtimestamp(row[9], UTC),
        )
        for row in rows
    ]


def resolve(conn: sqlite3.Connection, letter: DeadLetter, step: Step | None) -> None:
    """Remove a dead letter, applying ``step`` first if given; raise the checkpoint to it."""
    with _transaction(conn):
        if conn.execute(_sql.DELETE_LETTER, (letter.name, letter.position)).rowcount != 1:
            raise ParkedEventNotFound(letter.name, letter.position)
        if step is not None:
            _apply(conn, letter.name, step)
        conn.execute(
            _sql.RAISE_CHECKPOINT, (letter.position, time.time(), letter.name, letter.position)
        )


def record_failure(conn: sqlite3.Connection, failure: Failure) -> None:
    """Keep ``failure`` as the projection's last failed attempt."""
    with _transaction(conn):
        conn.execute(
            _sql.RECORD_FAILURE,
            (
                failure.position,
                failure.attempts,
                failure.error,
                failure.failed_at.timestamp(),
                failure.name,
            ),
        )


def failure(conn: sqlite3.Connection, name: str) -> Failure | None:
    """Return the last failed attempt of ``name``, if any."""
    row = conn.execute(_sql.FAILURE, (name,)).fetchone()
    if row is None:
        return None
    return Failure(
        name=name,
        position=row[0],
        attempts=row[1],
        error=row[2],
        failed_at=datetime.fromtimestamp(row[3], UTC),
    )


def acquire_lease(conn: sqlite3.Connection, name: str, owner: str, ttl: float) -> bool:
    """Take or renew the lease of ``name`` for ``ttl`` seconds; return whether held."""
    now = time.time()
    with _transaction(conn):
        row = conn.execute(_sql.ACQUIRE_LEASE, (name, owner, now + ttl, now)).fetchone()
    return row is not None


def release_lease(conn: sqlite3.Connection, name: str, owner: str) -> None:
    """Give up the lease of ``name`` if ``owner`` holds it."""
    with _transaction(conn):
        conn.execute(_sql.RELEASE_LEASE, (name, owner))


def lease(conn: sqlite3.Connection, name: str) -> Lease | None:
    """Return the unexpired lease of ``name``, if any."""
    row = conn.execute(_sql.LEASE, (name, time.time())).fetchone()
    return None if row is None else Lease(name, row[0], datetime.fromtimestamp(row[1], UTC))


def reset(conn: sqlite3.Connection, name: str, tables: Sequence[str]) -> None:
    """Empty ``tables``, drop the dead letters and set the checkpoint to 0, atomically."""
    with _transaction(conn):
        for table in tables:
            conn.execute(_sql.empty_table(table))
        conn.execute(_sql.DELETE_LETTERS_OF, (name,))
        conn.execute(_sql.SET_CHECKPOINT, (name, 0, time.time()))
        conn.execute(_sql.CLEAR_FAILURE, (name,))


def swap_in(
    conn: sqlite3.Connection,
    name: str,
    scratch: str,
    tables: Sequence[str],
    catch_up: Callable[[int], object] = lambda _: None,
) -> None:
    """Replace ``tables``, checkpoint and dead letters of ``name`` by the scratch file's.

    The transaction takes the live file's write lock first, with the scratch attached but
    not yet read: ``catch_up(live)`` then brings the scratch (another file, written by its
    own connection) up to the live checkpoint, and the first read of the scratch sees it.
    Raises ``CheckpointConflict`` (and changes nothing) if the live checkpoint is still
    past the scratch's.
    """
    conn.execute(_sql.ATTACH_SCRATCH, (scratch,))
    try:
        with _transaction(conn, _sql.BEGIN):
            conn.execute(_sql.HOLD_CHECKPOINT, (name,))  # the write lock, on this file only
            found = conn.execute(_sql.CHECKPOINT, (name,)).fetchone()
            live = 0 if found is None else found[0]
            if live > 0:
                catch_up(live)
            row = conn.execute(_sql.SCRATCH_CHECKPOINT, (name,)).fetchone()
            copied = 0 if row is None else row[0]
            if live > copied:
                raise CheckpointConflict(name, expected=copied, actual=live)
            for table in tables:
                conn.execute(_sql.empty_table(table))
                conn.execute(_sql.copy_scratch_table(table))
            conn.execute(_sql.DELETE_LETTERS_OF, (name,))
            conn.execute(_sql.COPY_SCRATCH_LETTERS, (name,))
            conn.execute(_sql.SET_CHECKPOINT, (name, copied, time.time()))
            conn.execute(_sql.CLEAR_FAILURE, (name,))
    finally:
        conn.execute(_sql.DETACH_SCRATCH)


def scratch_copy(path: str, name: str) -> ScratchCopy | None:
    """Look at a copy rebuild's scratch file, read-only: its checkpoint and its lease."""
    if not os.path.exists(path):
        return None
    position, running = 0, False
    with (
        contextlib.suppress(sqlite3.Error),
        contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn,
    ):
        found = conn.execute(_sql.CHECKPOINT, (name,)).fetchone()
        position = 0 if found is None else found[0]
        running = conn.execute(_sql.LEASE, (name, time.time())).fetchone() is not None
    return ScratchCopy(location=f"file {path}", position=position, running=running)
