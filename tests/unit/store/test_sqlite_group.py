"""Group commit on SQLite (``fabula.store.sqlite._group``): waiting appends share a commit.

Groups are made deterministic by holding the writer with a blocking operation while the
appends queue behind it; the stores' own tests then check the invariants under real
contention, sync and asyncio.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from fabula import ClosedError, ConcurrencyError, StoreError
from fabula.store import NO_STREAM, ExpectedVersion, NewEvent
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore, _ops
from fabula.store.sqlite._driver import AsyncConnection, Connection


def event(kind: str = "Noted") -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type=kind, data="{}")


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    connection = Connection(str(tmp_path / "events.db"))
    yield connection
    connection.close()


def commits(conn: Connection) -> list[str]:
    """The ``COMMIT`` statements the writer runs from now on."""
    seen: list[str] = []
    conn._writer.set_trace_callback(  # the writer under test
        lambda statement: seen.append(statement) if statement == "COMMIT" else None
    )
    return seen


def hold_writer(conn: Connection) -> tuple[threading.Event, threading.Thread]:
    """Hold the writer from another thread until the returned event is set."""
    holding, release = threading.Event(), threading.Event()

    def block(_: sqlite3.Connection) -> None:
        holding.set()
        release.wait(10)

    blocker = threading.Thread(target=conn.write, args=(block,))
    blocker.start()
    assert holding.wait(10)
    return release, blocker


def queued_behind_a_blocker(conn: Connection, calls: list[Callable[[], Any]]) -> list[Any]:
    """Hold the writer, queue ``calls`` (each in a thread), release; return outcomes in order."""
    release, blocker = hold_writer(conn)
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            outcomes[index] = calls[index]()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc

    threads = []
    for index in range(len(calls)):  # one at a time: the queue's order is the calls' order
        thread = threading.Thread(target=run, args=(index,))
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 10
        while len(conn._jobs) < index + 1:
            assert time.monotonic() < deadline, "an append did not queue"
            time.sleep(0.001)
    release.set()
    blocker.join()
    for thread in threads:
        thread.join(10)
    return outcomes


def test_queued_appends_commit_once_and_each_gets_its_own_outcome(conn: Connection) -> None:
    committed = commits(conn)
    outcomes = queued_behind_a_blocker(
        conn,
        [
            lambda: conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM),
            lambda: conn.write_grouped(_ops.append, "b-1", [event()], ExpectedVersion(5)),
            lambda: conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM),
            lambda: conn.write_grouped(_ops.append, "a-1", [event(), event()], ExpectedVersion(1)),
            lambda: conn.write_grouped(_ops.append, "c-1", [event()], NO_STREAM),
        ],
    )
    assert committed == ["COMMIT"]  # one commit for the whole group
    first, refused, again, second, other = outcomes
    assert (first.version, first.positions) == (1, (1,))
    assert isinstance(refused, ConcurrencyError)
    assert isinstance(again, ConcurrencyError)  # sees the group's earlier append to a-1
    assert (second.version, second.positions) == (3, (2, 3))
    assert (other.version, other.positions) == (1, (4,))
    stored = conn.read(_ops.read_all, 0, 100, None, None)
    assert [(e.stream_id, e.version, e.position) for e in stored] == [
        ("a-1", 1, 1),
        ("a-1", 2, 2),
        ("a-1", 3, 3),
        ("c-1", 1, 4),
    ]


def test_an_error_inside_one_append_rolls_back_that_append_alone(conn: Connection) -> None:
    def half_then_fail(db: sqlite3.Connection) -> None:
        nested = _ops.begin(db)
        try:
            _ops.append(db, "x-1", [event()], NO_STREAM)  # inside this op's savepoint
            raise ValueError("the op's own failure")
        except BaseException:
            _ops.rollback(db, nested=nested)
            raise

    outcomes = queued_behind_a_blocker(
        conn,
        [
            lambda: conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM),
            lambda: conn.write_grouped(half_then_fail),
            lambda: conn.write_grouped(_ops.append, "b-1", [event()], NO_STREAM),
        ],
    )
    assert isinstance(outcomes[1], ValueError)
    stored = conn.read(_ops.read_all, 0, 100, None, None)
    assert [(e.stream_id, e.position) for e in stored] == [("a-1", 1), ("b-1", 2)]


def test_a_failed_commit_fails_every_append_of_the_group_and_stores_none(
    conn: Connection,
) -> None:
    def deferred_violation(db: sqlite3.Connection) -> str:
        nested = _ops.begin(db)
        db.execute("INSERT INTO child (parent) VALUES (42)")  # checked at COMMIT only
        _ops.commit(db, nested=nested)
        return "inserted"

    def schema(db: sqlite3.Connection) -> None:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        db.execute(
            "CREATE TABLE child (parent INTEGER REFERENCES parent (id) "
            "DEFERRABLE INITIALLY DEFERRED)"
        )

    conn.write(schema)
    outcomes = queued_behind_a_blocker(
        conn,
        [
            lambda: conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM),
            lambda: conn.write_grouped(deferred_violation),
            lambda: conn.write_grouped(_ops.append, "b-1", [event()], NO_STREAM),
        ],
    )
    assert all(isinstance(o, StoreError) for o in outcomes), outcomes
    assert all("FOREIGN KEY" in str(o) for o in outcomes)
    assert conn.read(_ops.read_all, 0, 100, None, None) == []
    after = conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM)
    assert (after.version, after.positions) == (1, (1,))  # the writer is usable again


def test_appends_queued_when_the_store_closes_are_refused_or_stored_never_half(
    conn: Connection,
) -> None:
    release, blocker = hold_writer(conn)
    outcome: list[object] = []

    def append() -> None:
        try:
            outcome.append(conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM))
        except ClosedError as exc:
            outcome.append(exc)

    appender = threading.Thread(target=append)
    appender.start()
    while not conn._jobs:
        time.sleep(0.001)
    closer = threading.Thread(target=conn.close)
    closer.start()
    release.set()
    for thread in (blocker, appender, closer):
        thread.join(10)
    (result,) = outcome
    with closing(sqlite3.connect(conn.path)) as check:
        rows = check.execute("SELECT count(*) FROM events").fetchone()[0]
    assert rows == (0 if isinstance(result, ClosedError) else 1)


def check_log(path: str, successes: int, shared_versions: list[int]) -> None:
    with closing(sqlite3.connect(path)) as check:
        rows = check.execute(
            "SELECT position, stream_id, version FROM events ORDER BY position"
        ).fetchall()
    positions = [r[0] for r in rows]
    assert len(rows) == successes
    assert positions == sorted(set(positions))
    shared = sorted(r[2] for r in rows if r[1] == "shared-1")
    assert shared == list(range(1, len(shared) + 1)) == sorted(shared_versions)


def test_concurrent_appends_through_the_sync_store_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "events.db")
    store = SqliteStore(path)
    results: list[Any] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        for n in range(40):
            if index % 2:
                try:
                    version = store.stream_version("shared-1")
                    result = store.append(
                        "shared-1", [event()], precondition=ExpectedVersion(version)
                    )
                except ConcurrencyError:
                    continue
            else:
                result = store.append(f"own-{index}-{n}", [event()], precondition=NO_STREAM)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    positions = [p for r in results for p in r.positions]
    assert len(positions) == len(set(positions))
    check_log(path, len(results), [r.version for r in results if r.stream_id == "shared-1"])


def test_concurrent_appends_through_the_asyncio_store_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "events.db")

    async def main() -> list[Any]:
        store = AsyncSqliteStore(path)
        results: list[Any] = []

        async def writer(index: int) -> None:
            for n in range(30):
                if index % 2:
                    try:
                        version = await store.stream_version("shared-1")
                        result = await store.append(
                            "shared-1", [event()], precondition=ExpectedVersion(version)
                        )
                    except ConcurrencyError:
                        continue
                else:
                    result = await store.append(
                        f"own-{index}-{n}", [event()], precondition=NO_STREAM
                    )
                results.append(result)

        await asyncio.gather(*(writer(i) for i in range(8)))
        await store.close()
        return results

    results = asyncio.run(main())
    positions = [p for r in results for p in r.positions]
    assert len(positions) == len(set(positions))
    check_log(path, len(results), [r.version for r in results if r.stream_id == "shared-1"])


def test_asyncio_appends_queued_on_the_writer_thread_commit_once(tmp_path: Path) -> None:
    """The asyncio writer thread groups the appends queued behind the first (``_writer`` rule 5)."""
    path = str(tmp_path / "events.db")

    async def main() -> list[Any]:
        conn = AsyncConnection(path)
        committed = commits(conn._sync)
        holding, release = threading.Event(), threading.Event()

        def block(_: sqlite3.Connection) -> None:
            holding.set()
            release.wait(10)

        blocker = asyncio.ensure_future(conn.write(block))
        assert await asyncio.to_thread(holding.wait, 10)
        appends = [
            conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM),
            conn.write_grouped(_ops.append, "a-1", [event()], NO_STREAM),
            conn.write_grouped(_ops.append, "gone-1", [event()], NO_STREAM),
            conn.write_grouped(_ops.append, "b-1", [event()], NO_STREAM),
        ]
        tasks = [asyncio.ensure_future(append) for append in appends]
        await asyncio.sleep(0)  # every task queues its append behind the blocker
        tasks[2].cancel()  # cancelled while queued: never runs
        release.set()
        await blocker
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert committed == ["COMMIT"]
        await conn.close()
        return outcomes

    first, refused, cancelled, other = asyncio.run(main())
    assert (first.version, first.positions) == (1, (1,))
    assert isinstance(refused, ConcurrencyError)
    assert isinstance(cancelled, asyncio.CancelledError)
    assert (other.version, other.positions) == (1, (2,))
    with closing(sqlite3.connect(path)) as check:
        rows = check.execute("SELECT stream_id FROM events ORDER BY position").fetchall()
    assert rows == [("a-1",), ("b-1",)]
