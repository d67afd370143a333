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

``AsyncConnection`` has the same API, awaitable, and these rules on where things run:
8. Writes run on one writer thread per connection (``_writer``), in the order they were
   awaited; the task awaits a future the thread settles. Appends queued behind one another
   there commit as one group (``_writer`` rule 5). The hop costs about half of one
   through the loop's default executor (~50 against ~100 us here, idle). A write
   cancelled while queued never runs; one already running commits or fails whole.
9. The store's reads run on the loop's own thread, on a pooled reader connection
   (``_inline``): one-row lookups (head, version, state, snapshot) whole; reads of events
   that return every row they walk (a stream, the unfiltered log) in chunks of ``CHUNK``
   = 100 rows, fetched and decoded in one turn of the loop, with a yield between chunks.
   So no turn is blocked longer than one lookup (~20 us) or one chunk (~0.5-0.6 ms here,
   about 3 us to fetch and 2-3 us to decode a row), whatever the read's size. A thread
   does not buy more: the hop and back costs 100-300 us on two busy cores, and a page
   of 500 events decoded in a worker cost the W3 catch-up ~0.7 ms more than decoding it
   here (the objects are built on one core and used on another), while the worker held
   the GIL the loop needs anyway. A WAL reader never waits for the writer and the pool
   lock is never held across I/O; what can still block a turn is SQLite reading pages
   the OS has not cached (a cold file) or waiting out a WAL recovery. A read on the loop
   does not yield before its first chunk: awaiting it may not let other tasks run.
   Filtered scans of the log (which may walk any number of rows per row returned),
   ``read_caused_by``, listings, counts and the read side's queries run in the loop's
   default executor. A private database (``:memory:``) has no readers: every read hops.
10. ``close`` queues behind the writes already queued: they run, then the connections
   close and the writer thread ends; a write after that raises ``ClosedError``. A second
   ``close`` (from any loop) waits for the first; cancelling ``close`` does not stop it.
11. Several event loops may share one ``AsyncConnection`` (a future from the writer thread
   wakes the loop that awaits it). A forked child gets a new writer thread on its first
   write; the parent's queued writes never run in it.
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
from fabula.store._records import StoredEvent
from fabula.store.sqlite._errors import map_errors, mapped_error
from fabula.store.sqlite._group import Job, run_group
from fabula.store.sqlite._inline import CHUNK, IN_CHUNKS, ONE_ROW, Chunked
from fabula.store.sqlite._migrate import MIGRATIONS, MigrateMode, Migration, migrate
from fabula.store.sqlite._rows import decode_events
from fabula.store.sqlite._settings import OpenMode
from fabula.store.sqlite._writer import Stopped, WriterThread

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
        self.shared: bool = path in _PRIVATE
        """Whether the writer serves reads too (a private database, rule 2)."""
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
                    if not self.shared and not self.read_only:
                        enable_wal(self._writer, busy_timeout)
                    prepare(self._writer)
                else:
                    check = "check" if self.read_only else migrate_mode
                    migrate(self._writer, migrations, mode=check, path=path)
                    if not self.shared and not self.read_only:
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
            raise self.read_only_error()
        with self._lock:
            return self._run(op, args, kwargs)

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
            raise self.read_only_error()
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
                self._settle(jobs)
        outcome: T = job.outcome()
        return outcome

    def run_jobs(self, jobs: list[Job]) -> None:
        """Run queued appends as one group on the writer and settle each (``_group``)."""
        with self._lock:
            self._settle(jobs)

    def _settle(self, jobs: list[Job]) -> None:
        """Run ``jobs`` as one group (one alone) and settle each; the caller holds the lock."""
        if len(jobs) > 1 and not self._closed:
            run_group(self._writer, self.path, jobs)
            return
        for job in jobs:  # one job, or a closed connection's
            try:
                job.succeed(self._run(job.op, job.args, job.kwargs))
            except BaseException as exc:  # the job's own error, raised in its own thread or task
                job.fail(exc)

    def _run(self, op: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """Run ``op`` alone on the writer; the caller holds the writer lock."""
        if self._closed:
            raise self.closed_error()
        try:  # map_errors, inlined: a context manager costs the one-event append ~3%
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
        if self.shared:
            return self.write(op, *args, **kwargs)
        conn = self.take_reader()
        try:
            with map_errors(self.path):
                return op(conn, *args, **kwargs)
        finally:
            self.release_reader(conn)

    def take_reader(self) -> sqlite3.Connection:
        """A reader connection for the caller alone, until ``release_reader`` (not shared)."""
        with self._pool_lock:
            if self._closed:
                raise self.closed_error()
            if self._readers:
                return self._readers.pop()
        with map_errors(self.path):
            conn = _connect(self._database, self._busy_timeout)
            conn.execute("PRAGMA query_only = ON")
        return conn

    def release_reader(self, conn: sqlite3.Connection) -> None:
        """Give back a reader from ``take_reader`` (closed instead if this is closed)."""
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

    def closed_error(self) -> ClosedError:
        """The error an operation on this closed connection raises."""
        return ClosedError(f"the {self._what} on {self.path!r} is closed")

    def read_only_error(self) -> ReadOnlyError:
        """The error a write on this read-only connection raises."""
        msg = f"the {self._what} on {self.path!r} is open read-only (mode=ro): nothing written"
        return ReadOnlyError(msg)


class AsyncConnection:
    """``Connection`` for asyncio: writes on a writer thread, reads inline or in a worker thread.

    Rules 8-11 of the module say where each operation runs. Cancelling the awaiting task
    does not stop an operation already running: an append then commits or fails as a
    whole, as it would have, and only its result is lost. A write cancelled while still
    queued never runs.
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
        self._writer = WriterThread(f"fabula-sqlite-writer {path}", self._sync.run_jobs)
        self._inline = not self._sync.shared

    async def write(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``op(writer, *args, **kwargs)`` alone on the writer connection, on the writer thread.

        Raises:
            ReadOnlyError: the database was opened with ``mode="ro"``.
            ClosedError: the connection is closed (or closing).
        """
        if self._sync.read_only:
            raise self._sync.read_only_error()
        call = functools.partial(self._sync.write, op, *args, **kwargs)
        try:
            return await self._writer.run(call)
        except Stopped:
            raise self._sync.closed_error() from None

    async def write_grouped(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the append ``op`` on the writer thread, grouped with those queued behind it.

        ``_writer`` rule 5 and ``_group`` say how.

        Raises:
            ReadOnlyError: the database was opened with ``mode="ro"``.
            ClosedError: the connection is closed (or closing).
        """
        if self._sync.read_only:
            raise self._sync.read_only_error()
        try:
            found: T = await self._writer.run_job(Job(op, args, kwargs))
        except Stopped:
            raise self._sync.closed_error() from None
        return found

    async def read(
        self,
        op: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``op(reader, *args, **kwargs)`` on a reader: on the loop or in a thread (rule 9)."""
        if self._inline:
            if op in ONE_ROW:
                return self._sync.read(op, *args, **kwargs)
            chunked = IN_CHUNKS.get(op)
            if chunked is not None and chunked.fits(*args, **kwargs):
                found: T = await self._in_chunks(chunked, args, kwargs)  # type: ignore[assignment]
                return found
        call = functools.partial(self._sync.read, op, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def _in_chunks(
        self, chunked: Chunked, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> list[StoredEvent]:
        """Fetch and decode a read's rows ``CHUNK`` at a time, yielding between chunks."""
        sync = self._sync
        conn = sync.take_reader()
        cursor: sqlite3.Cursor | None = None
        try:
            found: list[StoredEvent] = []
            try:
                cursor = chunked.rows(conn, *args, **kwargs)
                rows = cursor.fetchmany(CHUNK)
                while True:
                    found += decode_events(rows)
                    if len(rows) < CHUNK:
                        return found
                    rows = cursor.fetchmany(CHUNK)
                    if not rows:  # the last chunk was full: no turn to give up for nothing
                        return found
                    await asyncio.sleep(0)
            except sqlite3.Error as exc:
                raise mapped_error(self.path, exc) from exc
        finally:
            if cursor is not None:
                cursor.close()  # ends the statement, and with it the read's snapshot
            sync.release_reader(conn)

    async def close(self) -> None:
        """Close every connection once queued and running operations are done; idempotent."""
        closed = self._writer.stop(self._sync.close)
        await asyncio.shield(asyncio.wrap_future(closed))
