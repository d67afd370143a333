"""Where the asyncio SQLite connection runs its work (``fabula.store.sqlite._driver`` rules 8-11).

Writes queue on one writer thread: queued writes run in order, a cancelled queued write
never runs, a running one finishes, ``close`` runs after the queue. Short reads run on the
loop: one-row lookups whole, reads of events in chunks with a yield between.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
import uuid
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fabula import ClosedError, ReadOnlyError, StoreError
from fabula.store import NewEvent
from fabula.store.sqlite import AsyncSqliteConnection, AsyncSqliteStore, SqliteStore
from fabula.store.sqlite._inline import CHUNK
from fabula.store.sqlite._writer import WriterThread


def _events(count: int = 1) -> list[NewEvent]:
    return [NewEvent(event_id=uuid.uuid4(), type="Noted", data="{}") for _ in range(count)]


def _held(conn: sqlite3.Connection, gate: threading.Event, started: threading.Event) -> str:
    """A write that waits for ``gate``: it holds the writer thread."""
    del conn
    started.set()
    assert gate.wait(10)
    return "held"


def _noted(conn: sqlite3.Connection, ran: list[str], name: str) -> str:
    conn.execute("CREATE TABLE IF NOT EXISTS noted (name TEXT)")
    conn.execute("INSERT INTO noted VALUES (?)", (name,))
    ran.append(name)
    return name


def _fails(conn: sqlite3.Connection, exc: Exception) -> None:
    del conn
    raise exc


def _bad_sql(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO no_such_table VALUES (1)")


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM noted ORDER BY rowid")]


async def _holding(db: AsyncSqliteConnection) -> tuple[asyncio.Task[str], threading.Event]:
    """Start a write that holds the writer thread until the returned gate is set."""
    gate, started = threading.Event(), threading.Event()
    held = asyncio.ensure_future(db.write(_held, gate, started))
    await asyncio.to_thread(started.wait, 10)
    return held, gate


def test_queued_writes_run_in_order_and_close_waits_for_them(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    ran: list[str] = []

    async def scenario() -> None:
        db = AsyncSqliteConnection(str(path))
        held, gate = await _holding(db)
        writes = [asyncio.ensure_future(db.write(_noted, ran, f"w{i}")) for i in range(3)]
        closing = asyncio.ensure_future(db.close())
        await asyncio.sleep(0)
        with pytest.raises(ClosedError):  # queued behind close: refused at once
            await db.write(_noted, ran, "late")
        gate.set()
        await closing
        assert [await held, *[await w for w in writes]] == ["held", "w0", "w1", "w2"]
        await db.close()  # idempotent

    asyncio.run(scenario())
    assert _names(path) == ["w0", "w1", "w2"]


def test_a_write_cancelled_while_queued_never_runs(tmp_path: Path) -> None:
    ran: list[str] = []

    async def scenario() -> None:
        db = AsyncSqliteConnection(str(tmp_path / "cancel.db"))
        held, gate = await _holding(db)
        dropped = asyncio.ensure_future(db.write(_noted, ran, "dropped"))
        kept = asyncio.ensure_future(db.write(_noted, ran, "kept"))
        await asyncio.sleep(0)
        dropped.cancel()
        gate.set()
        assert await held == "held"
        assert await kept == "kept"
        assert dropped.cancelled()
        await db.close()

    asyncio.run(scenario())
    assert ran == ["kept"]
    assert _names(tmp_path / "cancel.db") == ["kept"]


def test_an_append_cancelled_while_running_commits_whole(tmp_path: Path) -> None:
    path = tmp_path / "running.db"
    gate, started = threading.Event(), threading.Event()

    def hook(tx: sqlite3.Connection, records: object) -> None:  # in the append's transaction
        _held(tx, gate, started)

    async def scenario() -> None:
        store = AsyncSqliteStore(path)
        await store.add_append_hook(hook)
        append = asyncio.ensure_future(store.append("s-1", _events(3)))
        await asyncio.to_thread(started.wait, 10)
        append.cancel()  # already running: it finishes, only its result is lost
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await append  # at once: the append may still be running
        await store.close()  # waits for it

    asyncio.run(scenario())
    with SqliteStore(path, mode="ro") as store:
        assert store.stream_version("s-1") == 3


def test_an_error_in_a_write_reaches_the_awaiting_task(tmp_path: Path) -> None:
    async def scenario() -> None:
        db = AsyncSqliteConnection(str(tmp_path / "errors.db"))
        with pytest.raises(ValueError, match="refused"):
            await db.write(_fails, ValueError("refused"))
        with pytest.raises(StoreError, match="no such table"):
            await db.write(_bad_sql)
        assert await db.write(_noted, [], "after") == "after"  # the thread lives on
        await db.close()
        with pytest.raises(ClosedError):
            await db.write(_noted, [], "closed")

    asyncio.run(scenario())


def test_two_event_loops_share_one_store(tmp_path: Path) -> None:
    store_holder: list[AsyncSqliteStore] = []
    errors: list[BaseException] = []

    async def open_store() -> None:
        store_holder.append(AsyncSqliteStore(tmp_path / "loops.db"))

    asyncio.run(open_store())
    store = store_holder[0]

    async def appends(name: str) -> None:
        for index in range(20):
            await store.append(f"{name}-{index}", _events(2))
            assert len(await store.read_stream(f"{name}-{index}")) == 2

    def loop_thread(name: str) -> None:
        try:
            asyncio.run(appends(name))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=loop_thread, args=(f"t{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []

    async def check_and_close() -> None:
        records = await store.read_all()
        assert [r.position for r in records] == list(range(1, 121))
        await store.close()

    asyncio.run(check_and_close())


class _NoThreads(ThreadPoolExecutor):
    """A default executor that refuses work while ``refuse``: what runs on the loop needs none."""

    refuse = True

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self.refuse:
            msg = "this read went to a worker thread"
            raise AssertionError(msg)
        return super().submit(fn, *args, **kwargs)


def test_short_reads_run_on_the_loop_and_filtered_scans_in_a_thread(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = AsyncSqliteStore(tmp_path / "inline.db")
        await store.append("long-1", _events(2 * CHUNK + 7))
        executor = _NoThreads()
        asyncio.get_running_loop().set_default_executor(executor)
        assert await store.head() == 2 * CHUNK + 7
        assert await store.stream_version("long-1") == 2 * CHUNK + 7
        assert (await store.stream_state("long-1")).version == 2 * CHUNK + 7
        assert await store.load_snapshot("long-1") is None
        stream = await store.read_stream("long-1")
        assert [r.version for r in stream] == list(range(1, 2 * CHUNK + 8))
        backwards = await store.read_stream("long-1", direction="backwards", limit=3)
        assert [r.version for r in backwards] == [2 * CHUNK + 7, 2 * CHUNK + 6, 2 * CHUNK + 5]
        assert len(await store.read_all(after=5)) == 2 * CHUNK + 2
        with pytest.raises(AssertionError, match="worker thread"):
            await store.read_all(types=["Noted"])
        executor.refuse = False
        assert len(await store.read_all(types=["Noted"])) == 2 * CHUNK + 7
        await store.close()

    asyncio.run(scenario())


def test_a_read_of_events_yields_to_the_loop_between_chunks(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = AsyncSqliteStore(tmp_path / "chunks.db")
        await store.append("long-1", _events(3 * CHUNK))
        turns = 0

        async def other_task() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        other = asyncio.ensure_future(other_task())
        await asyncio.sleep(0)
        before = turns
        assert len(await store.read_stream("long-1")) == 3 * CHUNK
        assert turns - before >= 2  # a turn between chunks
        before = turns
        assert len(await store.read_stream("long-1", limit=CHUNK)) == CHUNK
        assert turns == before  # one chunk: no turn given up
        other.cancel()
        await store.close()

    asyncio.run(scenario())


def test_a_cancelled_read_of_events_ends_its_statement(tmp_path: Path) -> None:
    path = tmp_path / "cancelled-read.db"

    async def scenario() -> None:
        store = AsyncSqliteStore(path)
        await store.append("long-1", _events(3 * CHUNK))
        reading = asyncio.ensure_future(store.read_all())
        await asyncio.sleep(0)  # the read takes its first chunk and yields
        assert not reading.done()
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        await store.append("long-2", _events(1))
        # A reader still inside its statement would pin the WAL: the checkpoint could not
        # copy every frame back (busy, or log frames != checkpointed frames).
        with sqlite3.connect(path) as conn:
            busy, log, done = conn.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        assert (busy, log) == (0, done)
        assert len(await store.read_all()) == 3 * CHUNK + 1
        await store.close()

    asyncio.run(scenario())


def test_a_read_only_connection_refuses_writes_before_queueing(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    SqliteStore(path).close()

    async def scenario() -> None:
        store = AsyncSqliteStore(path, mode="ro")
        before = set(threading.enumerate())
        with pytest.raises(ReadOnlyError):
            await store.append("s-1", _events())
        assert set(threading.enumerate()) == before
        assert await store.head() == 0
        await store.close()

    asyncio.run(scenario())


def test_closing_a_connection_that_never_wrote(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = AsyncSqliteStore(tmp_path / "idle.db")
        assert await store.read_all() == []
        await asyncio.gather(store.close(), store.close())
        with pytest.raises(ClosedError):
            await store.head()
        with pytest.raises(ClosedError):
            await store.read_all(types=["Noted"])

    asyncio.run(scenario())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_its_own_writer_thread_and_not_the_parents_queue(
    tmp_path: Path,
) -> None:
    writer = WriterThread("fork-test", group=lambda jobs: None)
    gate, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        assert gate.wait(10)

    def mark() -> None:
        (tmp_path / f"ran-in-{os.getpid()}").touch()

    queued = threading.Event()

    async def parent() -> None:
        held = asyncio.ensure_future(writer.run(hold))
        await asyncio.to_thread(started.wait, 10)
        marked = asyncio.ensure_future(writer.run(mark))
        await asyncio.sleep(0)  # ``mark`` waits in the queue behind ``hold``
        queued.set()
        await held
        await marked

    async def child() -> int:
        return await writer.run(os.getpid)

    loop_thread = threading.Thread(target=asyncio.run, args=(parent(),))
    loop_thread.start()
    assert queued.wait(10)
    with warnings.catch_warnings():  # 3.12+ warns of fork in a process with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover (the child reports through its exit status)
        code = 1
        with contextlib.suppress(BaseException):
            code = 0 if asyncio.run(child()) == os.getpid() else 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    gate.set()
    loop_thread.join(10)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"ran-in-{os.getpid()}"]
