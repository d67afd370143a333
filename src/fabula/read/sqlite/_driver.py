"""Connections for the SQLite target: one writer under a lock, readers beside it.

Rules:
1. Every write (commit, lease, dead letter) runs on the one writer connection, alone, in
   its own ``BEGIN IMMEDIATE`` transaction (see ``_ops``).
2. ``read`` runs on reader connections (WAL lets them read the last commit while a write
   is under way). A ``:memory:`` database is private to its connection, so there the
   writer serves reads too.
3. ``sqlite3`` errors become ``StoreError`` here, once; fabula's own errors pass through.

``AsyncConnection`` has the same API, awaitable: it runs each operation in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from fabula._errors import StoreError
from fabula.read.sqlite import _ops
from fabula.store.sqlite._driver import enable_wal

__all__ = ["MEMORY", "AsyncConnection", "Connection"]

P = ParamSpec("P")
T = TypeVar("T")

MEMORY = ":memory:"


@contextmanager
def _map_errors(path: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        msg = f"SQLite read-model database {path!r} failed: {exc}"
        raise StoreError(msg) from exc


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA synchronous = FULL")
    return conn


class Connection:
    """Runs the target's operations on a SQLite file (thread-safe)."""

    def __init__(self, path: str, *, busy_timeout: float = 5.0) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._shared = path == MEMORY
        self._lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._closed = False
        with _map_errors(path):
            self._writer = _connect(path, busy_timeout)
            try:
                if not self._shared:
                    enable_wal(self._writer, busy_timeout)
                _ops.create_tables(self._writer)
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
            with _map_errors(self.path):
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
        with _map_errors(self.path):
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
        return StoreError(f"the SQLite target on {self.path!r} is closed")


class AsyncConnection:
    """``Connection`` for asyncio: each operation runs in a worker thread."""

    def __init__(self, path: str, *, busy_timeout: float = 5.0) -> None:
        self._sync = Connection(path, busy_timeout=busy_timeout)
        self.path = path

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
