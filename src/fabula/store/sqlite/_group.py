"""Group commit on SQLite: the appends of several threads share one transaction and one fsync.

SQLite has one writer, and under ``synchronous=FULL`` most of a one-event append is its
commit's fsync (ADR 0026). When threads append at once they queue for the writer anyway;
whoever gets the writer next runs every append queued by then in one transaction.

Rules:
1. Only appends are grouped (``Connection.write_grouped``). A writer that finds the write
   lock free runs its append alone, as before: one thread pays nothing for this.
2. A thread that finds the lock taken queues its append as a ``Job`` and waits for the
   lock. Whoever holds it next runs every queued job, in queue order, inside one
   ``BEGIN IMMEDIATE`` transaction; each append runs in a savepoint of its own
   (``_ops`` rule 6), so a refused append (precondition, lifecycle, a hook's error)
   rolls back alone and its caller gets its own error.
3. The group commits once. Only then does any job learn its result: a failed commit
   (disk full, I/O error, a deferred constraint) fails every append of the group with the
   mapped error, and none of them is stored. If SQLite rolls the whole transaction back
   by itself in the middle of a group, the appends before are failed the same way and the
   rest run as a new group.
4. Positions are handed out in queue order and readers see the group all at once, at its
   commit: the log's order is still commit order (a reader never sees a later position
   before an earlier one commits).
5. A job's thread waits on the writer lock, which its leader holds until every job of the
   group is settled: when the thread gets the lock its job is settled, or it leads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from fabula._errors import StoreError
from fabula.store.sqlite import _sql
from fabula.store.sqlite._errors import mapped_error

__all__ = ["Job", "run_group"]


class Job:
    """One queued append: the operation, its arguments, and (once settled) its outcome."""

    __slots__ = ("args", "error", "kwargs", "op", "settled", "value")

    def __init__(self, op: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.op, self.args, self.kwargs = op, args, kwargs
        self.settled = False
        self.value: Any = None
        self.error: BaseException | None = None

    def succeed(self, value: object) -> None:
        """Settle with ``value``."""
        self.value, self.settled = value, True

    def fail(self, error: BaseException) -> None:
        """Settle with ``error``, raised in the job's own thread by ``outcome``."""
        self.error, self.settled = error, True

    def outcome(self) -> Any:
        """The operation's result, or its error raised."""
        if self.error is not None:
            raise self.error
        return self.value


def run_group(conn: sqlite3.Connection, path: str, jobs: Sequence[Job]) -> None:
    """Run ``jobs`` on the writer ``conn`` in one transaction and settle each (rules 2-3).

    The caller holds the writer lock; nothing here raises except a ``BaseException``
    that is not an ``Exception`` (every job is failed with it first).
    """
    pending = list(jobs)
    while pending:
        pending = _one_transaction(conn, path, pending)


def _one_transaction(conn: sqlite3.Connection, path: str, jobs: list[Job]) -> list[Job]:
    """Run jobs until the transaction commits or is lost; return the jobs not yet run."""
    try:
        conn.execute(_sql.BEGIN_IMMEDIATE)
    except sqlite3.Error as exc:
        for job in jobs:
            job.fail(_failure(path, exc))
        return []
    done: list[tuple[Job, object]] = []
    for index, job in enumerate(jobs):
        try:
            value = job.op(conn, *job.args, **job.kwargs)
        except sqlite3.Error as exc:
            job.fail(_failure(path, exc))
            cause: BaseException = exc
        except Exception as exc:  # the job's own error, raised in its own thread
            job.fail(exc)
            cause = exc
        except BaseException as exc:
            _abandon(conn, path, [j for j, _ in done] + jobs[index:], exc)
            raise
        else:
            done.append((job, value))
            continue
        if not conn.in_transaction:  # SQLite rolled the group back by itself
            for earlier, _ in done:
                earlier.fail(_lost(path, cause))
            return jobs[index + 1 :]
    try:
        conn.execute(_sql.COMMIT)
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute(_sql.ROLLBACK)
        for job, _ in done:
            job.fail(_failure(path, exc))
    else:
        for job, value in done:
            job.succeed(value)
    return []


def _abandon(conn: sqlite3.Connection, path: str, jobs: Sequence[Job], exc: BaseException) -> None:
    """A ``BaseException`` (an interrupt) in the leader: nothing of the group commits."""
    if conn.in_transaction:
        conn.execute(_sql.ROLLBACK)
    for job in jobs:
        error = StoreError(
            f"SQLite database {path!r}: the appends' group was interrupted; nothing stored"
        )
        error.__cause__ = exc
        job.fail(error)


def _failure(path: str, exc: sqlite3.Error) -> BaseException:
    error = mapped_error(path, exc)
    error.__cause__ = exc
    return error


def _lost(path: str, cause: BaseException) -> BaseException:
    if isinstance(cause, sqlite3.Error):
        return _failure(path, cause)
    error = mapped_error(path, sqlite3.OperationalError(f"transaction rolled back: {cause}"))
    error.__cause__ = cause
    return error
