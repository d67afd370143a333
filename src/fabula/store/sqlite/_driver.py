"""Connections for the SQLite backend: where and how the operations of ``_ops`` run.

Rules:
1. One writer connection per store; writes run on it under a lock, so one operation's
   transaction never interleaves with another's (SQLite allows one writer anyway).
2. Reads run on reader connections from a small pool, beside the writer (WAL mode lets
   readers see the last commit without blocking or being blocked). A ``:memory:``
   database is private to its connection, so there the writer serves reads too.
3. Every store open on the same file in this process shares one ``Notifier``, so an append
   through any of them wakes followers of all of them. Other processes are seen by polling.
4. ``sqlite3`` errors become fabula errors here, once (``_errors.map_errors``).
5. Opening checks (or migrates) the schema before it touches the journal mode, so a file
   that is refused is left as it was. ``mode="ro"`` opens every connection read-only
   (an SQLite ``mode=ro`` URI, so a missing file is not created), never migrates or
   switches the journal mode, and refuses writes with ``ReadOnlyError``; ``"rw"``
   refuses a missing file instead of creating it.
6. The writer keeps up to ``WRITER_CACHE_KIB`` of pages in its cache (SQLite's default is
   2 MiB): a commit dirties leaf pages of indexes with random keys (stream ids), and once
   those indexes outgrow the cache every insert reads its page back from the OS first
   (ADR 0026). The memory is taken only as pages are used; readers keep the default.
7. Appends go through ``write_grouped``: one that finds the writer busy queues, and the
   next holder of the writer runs every queued append in one transaction (``_group``).

``AsyncConnection`` has the same API, awaitable: it runs each operation in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

from fabula._errors import ClosedError, ReadOnlyError, SchemaError
from fabula.store._notify import Notifier
from fabula.store.sqlite._errors import map_errors, mapped_error
from fabula.store.sqlite._group import Job, run_group
from fabula.store.sqlite._migrate import MIGRATIONS, MigrateMode, Migration, migrate
from fabula.store.sqlite._settings import OpenMode

__all__ = ["AsyncConnection", "Connection"]

P = ParamSpec("P")
T = TypeVar("T")

# Databases private to the connection that opened them: "" is SQLite's temporary file.
_PRIVATE = (":memory:", "")

WRITER_CACHE_KIB = 65_536
"""The writer connection's page cache, in KiB (rule 6)."""

_notifiers: weakref.WeakValueDictionary[str, Notifier] = weakref.WeakValueDictionary()
_notifiers_lock = threading.Lock()


def _notifier_for(path: str) -> Notifier:
    """Return the notifier shared by every store open on ``path`` in this process."""
    if path in _PRIVATE:
        return Notifier()
    key = os.path.realpath(path)
    with _notifiers_lock:
        notifier = _notifiers.get(key)
        if notifier is None:
            notifier = _notifiers[key] = Notifier()
        return notifier


def _database(path: str, mode: OpenMode, what: str) -> str:
    """What ``sqlite3.connect`` opens: the path, or a ``file:`` URI that enforces ``mode``."""
    if mode == "rwc" or path in _PRIVATE:
        return path
    if not os.path.exists(path):
        kind = what.removeprefix("SQLite ")
        msg = f"no fabula {kind} at {path!r}: the file does not exist (mode={mode} creates none)"
        raise SchemaError(msg)
    return f"file:{quote(os.path.abspath(path))}?mode={mode}"


def _connect(database: str, busy_timeout: float) -> sqlite3.Connection:
    # isolation_level=None: autocommit; _ops issues BEGIN IMMEDIATE / COMMIT itself.
    # check_same_thread=False: the lock and the pool below decide who uses a connection.
    conn = sqlite3.connect(
        database,
        timeout=busy_timeout,
        isolation_level=None,
        check_same_thread=False,
        uri=database.startswith("file:"),
    )
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def enable_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch the file to WAL mode, waiting out other openers.

    Changing the journal mode needs the file to itself, and SQLite answers "locked" at once
    instead of calling the busy handler, so stores opened together retry here.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            locked = "locked" in str(exc) or "busy" in str(exc)
            if not locked or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)
        else:
            return


class Connection:
    """Runs operations on a SQLite database: writes on one writer, reads on pooled readers.

    Opening creates, migrates or checks the store's schema (see ``_migrate``), then turns
    on WAL mode; with ``prepare`` (the read side's targets) it turns on WAL mode, then
    runs ``prepare`` instead. Thread-safe.
    """

    def __init__(
        self,
        path: str,
        *,
        migrate_mode: MigrateMode = "auto",
        busy_timeout: float = 5.0,
        migrations: Sequence[Migration] = MIGRATIONS,
        prepare: Callable[[sqlite3.Connection], object] | None = None,
        what: str = "SQLite store",
        mode: OpenMode = "rwc",
    ) -> None:
        self.path = path
        self.read_only: bool = mode == "ro"
        """Whether writes are refused (rule 5)."""
        self._what = what
        self.notifier: Notifier = _notifier_for(path)
        """Woken after every append to this file from this process."""
        self._busy_timeout = busy_timeout
        self._shared = path in _PRIVATE
        self._lock = threading.Lock()
        self._jobs_lock = threading.Lock()
        self._jobs: list[Job] = []
        self._pool_lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._closed = False
        self._database = _database(path, mode, what)
        with map_errors(path):
            self._writer = _connect(self._database, busy_timeout)
            try:
                self._writer.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
                if prepare is not None:
                    if not self._shared and not self.read_only:
                        enable_wal(self._writer, busy_timeout)
                    prepare(self._writer)
                else:
                    check = "check" if self.read_only else migrate_mode
                    migrate(self._writer, migrations, mode=check, path=path)
                    if not self._shared and not self.read_only:
                        enable_wal(self._writer, busy_timeout)
            except BaseException:
                self._writer.close()
                raise

    def write(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``op(writer, *args, **kwargs)`` alone on the writer connection.

        Raises:
            ReadOnlyError: the database was opened with ``mode="ro"``.
        """
        if self.read_only:
            msg = f"the {self._what} on {self.path!r} is open read-only (mode=ro): nothing written"
            raise ReadOnlyError(msg)
        with self._lock:
            if self._closed:
                raise self._closed_error()
            try:  # map_errors, inlined: a context manager costs the one-event append ~3%
                return op(self._writer, *args, **kwargs)
            except sqlite3.Error as exc:
                raise mapped_error(self.path, exc) from exc

    def write_grouped(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the append ``op`` as ``write`` does, in a group when others wait (rule 7).

        ``op`` must follow ``_ops`` rule 6 (a savepoint inside a group's transaction).

        Raises:
            ReadOnlyError: the database was opened with ``mode="ro"``.
        """
        if self.read_only:
            msg = f"the {self._what} on {self.path!r} is open read-only (mode=ro): nothing written"
            raise ReadOnlyError(msg)
        if self._lock.acquire(blocking=False):  # the writer is free: run alone (_group rule 1)
            try:
                return self._run(op, args, kwargs)
            finally:
                self._lock.release()
        job = Job(op, args, kwargs)
        with self._jobs_lock:
            self._jobs.append(job)
        with self._lock:
            if not job.settled:  # lead: run every append queued by now (_group rule 2)
                with self._jobs_lock:
                    jobs, self._jobs = self._jobs, []
                if self._closed:
                    for queued in jobs:
                        queued.fail(self._closed_error())
                elif len(jobs) == 1:
                    return self._run(op, args, kwargs)
                else:
                    run_group(self._writer, self.path, jobs)
        outcome: T = job.outcome()
        return outcome

    def _run(self, op: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """Run ``op`` alone on the writer; the caller holds the writer lock."""
        if self._closed:
            raise self._closed_error()
        try:
            return op(self._writer, *args, **kwargs)
        except sqlite3.Error as exc:
            raise mapped_error(self.path, exc) from exc

    def read(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``op(reader, *args, **kwargs)`` on a reader connection."""
        if self._shared:
            return self.write(op, *args, **kwargs)
        with self._pool_lock:
            if self._closed:
                raise self._closed_error()
            conn = self._readers.pop() if self._readers else None
        with map_errors(self.path):
            if conn is None:
                conn = _connect(self._database, self._busy_timeout)
                conn.execute("PRAGMA query_only = ON")
            try:
                return op(conn, *args, **kwargs)
            finally:
                self._release(conn)

    def _release(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            if self._closed:
                conn.close()
            else:
                self._readers.append(conn)

    def close(self) -> None:
        """Close every connection once running operations are done; idempotent."""
        with self._lock, self._pool_lock:
            if self._closed:
                return
            self._closed = True
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._writer.close()

    def _closed_error(self) -> ClosedError:
        return ClosedError(f"the {self._what} on {self.path!r} is closed")


class AsyncConnection:
    """``Connection`` for asyncio: each operation runs in a worker thread.

    Cancelling the awaiting task does not stop an operation already running: an append
    then commits or fails as a whole, as it would have, and only its result is lost.
    """

    def __init__(
        self,
        path: str,
        *,
        migrate_mode: MigrateMode = "auto",
        busy_timeout: float = 5.0,
        migrations: Sequence[Migration] = MIGRATIONS,
        prepare: Callable[[sqlite3.Connection], object] | None = None,
        what: str = "SQLite store",
        mode: OpenMode = "rwc",
    ) -> None:
        self._sync = Connection(
            path,
            migrate_mode=migrate_mode,
            busy_timeout=busy_timeout,
            migrations=migrations,
            prepare=prepare,
            what=what,
            mode=mode,
        )
        self.path = path
        self.notifier: Notifier = self._sync.notifier
        """Woken after every append to this file from this process."""

    async def write(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``op(writer, *args, **kwargs)`` alone on the writer connection, in a thread."""
        call = functools.partial(self._sync.write, op, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def write_grouped(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the append ``op`` as ``Connection.write_grouped`` does, in a thread."""
        call = functools.partial(self._sync.write_grouped, op, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def read(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``op(reader, *args, **kwargs)`` on a reader connection, in a thread."""
        call = functools.partial(self._sync.read, op, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def close(self) -> None:
        """Close every connection once running operations are done; idempotent."""
        await asyncio.get_running_loop().run_in_executor(None, self._sync.close)
