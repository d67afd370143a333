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
from typing import Concatenate, ParamSpec, TypeVar

from fabula._errors import StoreError
from fabula.store._notify import Notifier
from fabula.store.sqlite._errors import map_errors
from fabula.store.sqlite._migrate import MIGRATIONS, MigrateMode, Migration, migrate

__all__ = ["AsyncConnection", "Connection"]

P = ParamSpec("P")
T = TypeVar("T")

# Databases private to the connection that opened them: "" is SQLite's temporary file.
_PRIVATE = (":memory:", "")

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


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    # isolation_level=None: autocommit; _ops issues BEGIN IMMEDIATE / COMMIT itself.
    # check_same_thread=False: the lock and the pool below decide who uses a connection.
    conn = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
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

    Opening turns on WAL mode, then creates or migrates the store's schema (see
    ``_migrate``), or runs ``prepare`` instead for another use of the file (the read
    side's targets). Thread-safe.
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
    ) -> None:
        self.path = path
        self._what = what
        self.notifier = _notifier_for(path)
        """Woken after every append to this file from this process."""
        self._busy_timeout = busy_timeout
        self._shared = path in _PRIVATE
        self._lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._closed = False
        with map_errors(path):
            self._writer = _connect(path, busy_timeout)
            try:
                if not self._shared:
                    enable_wal(self._writer, busy_timeout)
                if prepare is not None:
                    prepare(self._writer)
                else:
                    migrate(self._writer, migrations, mode=migrate_mode, path=path)
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
        """Run ``op(writer, *args, **kwargs)`` alone on the writer connection."""
        with self._lock:
            if self._closed:
                raise self._closed_error()
            with map_errors(self.path):
                return op(self._writer, *args, **kwargs)

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
                conn = _connect(self.path, self._busy_timeout)
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

    def _closed_error(self) -> StoreError:
        return StoreError(f"the {self._what} on {self.path!r} is closed")


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
    ) -> None:
        self._sync = Connection(
            path,
            migrate_mode=migrate_mode,
            busy_timeout=busy_timeout,
            migrations=migrations,
            prepare=prepare,
            what=what,
        )
        self.path = path
        self.notifier = self._sync.notifier
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
