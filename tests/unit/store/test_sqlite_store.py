"""What only the SQLite backend has to prove: files, WAL, sharing, processes, rollback.

The contract itself is the conformance suite's job; ``test_behaves_like_the_memory_store``
is a quick differential check of the same points against the reference backend.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from fabula import (
    ConcurrencyError,
    ConfigurationError,
    DuplicateEvent,
    FabulaError,
    InvalidArgument,
    StoreError,
)
from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    ExpectedVersion,
    NewEvent,
    SnapshotRecord,
    StoredEvent,
    StreamInfo,
    open_async_store,
    open_store,
)
from fabula.store.memory import MemoryStore
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore
from fabula.store.sqlite._rows import uuid_from_bytes


def new(type_: str = "Added", *, data: Any = "{}", **fields: Any) -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type=type_, data=data, **fields)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path) as opened:
        yield opened


# -- files ---------------------------------------------------------------------------------


def test_everything_survives_reopening_the_file(path: Path) -> None:
    cause, correlation = uuid.uuid4(), uuid.uuid4()
    first = [
        new(
            "Opened",
            data='{"title": "milk"}',
            metadata='{"user": "u1"}',
            schema_version=2,
            causation_id=cause,
            correlation_id=correlation,
        ),
        new("Added"),
    ]
    snapshot = SnapshotRecord(stream_id="todo-1", version=2, type="S", data="[1]", schema_version=3)
    started = datetime.now(UTC)
    with SqliteStore(path) as store:
        store.append("todo-1", first, precondition=NO_STREAM)
        store.append("todo-2", [new()])
        store.save_snapshot(snapshot)
        before = store.read_all()
    finished = datetime.now(UTC)

    with SqliteStore(path) as store:
        after = store.read_all()
        assert after == before
        assert [
            (e.event_id, e.type, e.data, e.metadata, e.schema_version, e.causation_id)
            for e in after[:2]
        ] == [
            (e.event_id, e.type, e.data, e.metadata, e.schema_version, e.causation_id)
            for e in first
        ]
        assert after[0].correlation_id == correlation
        assert all(started <= e.recorded_at <= finished for e in after)
        assert after[0].recorded_at.tzinfo is UTC
        assert store.list_streams() == [StreamInfo("todo-1", 2), StreamInfo("todo-2", 1)]
        assert store.load_snapshot("todo-1") == snapshot
        assert store.read_caused_by(cause) == after[:1]
        assert store.append("todo-1", [new()], precondition=ExpectedVersion(2)).positions == (4,)


def test_the_file_is_in_wal_mode(store: SqliteStore, path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_urls_open_relative_absolute_and_private_memory_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_store("sqlite:///relative.db")
    relative.append("a", [new()])
    relative.close()
    absolute = tmp_path / "sub" / "absolute.db"
    absolute.parent.mkdir()
    with SqliteStore.from_url(f"sqlite:///{absolute}", poll_interval=0.01) as opened:
        opened.append("b", [new()])
    with SqliteStore(tmp_path / "relative.db") as reopened:
        assert reopened.list_streams() == [StreamInfo("a", 1)]
    with SqliteStore(absolute) as reopened:
        assert reopened.list_streams() == [StreamInfo("b", 1)]

    one, two = open_store("sqlite:///:memory:"), open_store("sqlite:///:memory:")
    one.append("a", [new()])
    assert (one.head(), two.head()) == (1, 0)
    one.close()
    two.close()
    assert not (tmp_path / ":memory:").exists()
    async_store = open_async_store("sqlite:///:memory:")
    assert isinstance(async_store, AsyncSqliteStore)
    asyncio.run(async_store.close())
    with pytest.raises(ConfigurationError):
        SqliteStore.from_url("postgresql://localhost/db")


def test_a_file_that_is_not_a_database_raises_store_error(path: Path) -> None:
    path.write_bytes(b"this is not a database " * 200)
    with pytest.raises(StoreError, match=str(path)):
        SqliteStore(path)


def test_a_closed_store_refuses_work(path: Path) -> None:
    store = SqliteStore(path)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.append("a", [new()])
    with pytest.raises(StoreError, match="closed"):
        store.head()


# -- appends -------------------------------------------------------------------------------


def test_a_failed_append_stores_nothing(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Let text that is not JSON through to the driver, to make it fail mid-append.
    monkeypatch.setattr("fabula.store.sqlite._store.check_json", lambda *_: None)
    store.append("todo-1", [new()])
    taken = new()
    store.append("other", [taken])

    with pytest.raises(InvalidArgument):  # refused before the first row goes in
        store.append("todo-1", [new(), new(data=object())])
    with pytest.raises(DuplicateEvent):  # two rows go in before the third clashes
        store.append("todo-1", [new(), new(), taken])
    twice = new()
    with pytest.raises(ConfigurationError, match="twice"):
        store.append("todo-3", [twice, twice])

    assert store.stream_version("todo-1") == 1
    assert store.list_streams() == [StreamInfo("other", 1), StreamInfo("todo-1", 1)]
    assert [e.stream_id for e in store.read_all()] == ["todo-1", "other"]
    assert store.append("todo-1", [new()]).positions == (3,)


def test_a_retry_is_answered_from_the_stored_events(store: SqliteStore) -> None:
    batch = [new(), new()]
    first = store.append("todo-1", batch, precondition=NO_STREAM)
    again = store.append("todo-1", batch, precondition=NO_STREAM)
    assert again == dataclasses.replace(first, deduplicated=True)
    assert store.append("todo-1", batch).deduplicated
    with pytest.raises(DuplicateEvent):
        store.append("todo-2", batch)
    with pytest.raises(DuplicateEvent):
        store.append("todo-1", [batch[0], new()])
    assert store.head() == 2


def test_concurrent_writers_get_increasing_gapless_positions(path: Path) -> None:
    with SqliteStore(path) as one, SqliteStore(path) as two:

        def write(store: SqliteStore, name: str) -> None:
            for i in range(15):
                store.append(f"{name}-{i % 3}", [new(), new()])

        threads = [
            threading.Thread(target=write, args=(store, f"w{n}"))
            for n, store in enumerate([one, two, one, two])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        events = one.read_all()
    assert [e.position for e in events] == list(range(1, 121))
    by_stream: dict[str, list[int]] = {}
    for event in events:
        by_stream.setdefault(event.stream_id, []).append(event.version)
    assert all(versions == list(range(1, 11)) for versions in by_stream.values())
    assert len(by_stream) == 12


# -- streams by prefix ---------------------------------------------------------------------

IDS = ["a%b-1", "a%c", "a_b-1", "axb-1", "ab", "b-1", "\ud7ff-1", "\ue000-1", "\U0010ffff-x"]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("a%", ["a%b-1", "a%c"]),
        ("a_", ["a_b-1"]),
        ("a", ["a%b-1", "a%c", "a_b-1", "ab", "axb-1"]),
        ("", sorted(IDS)),
        ("\ud7ff", ["\ud7ff-1"]),
        ("\U0010ffff", ["\U0010ffff-x"]),
        ("zz", []),
    ],
)
def test_prefixes_match_literally(prefix: str, expected: list[str]) -> None:
    memory = MemoryStore()
    with SqliteStore(":memory:") as store:
        for stream_id in IDS:
            store.append(stream_id, [new()])
            memory.append(stream_id, [new()])
        assert [s.stream_id for s in store.list_streams(prefix)] == expected
        assert store.count_streams(prefix) == len(expected)
        for after in [None, "a%b-1", "a", "b"]:
            for limit in [None, 0, 1]:
                assert store.list_streams(prefix, after=after, limit=limit) == memory.list_streams(
                    prefix, after=after, limit=limit
                )


# -- wake-ups ------------------------------------------------------------------------------


def test_stores_on_one_file_share_the_log_and_wake_each_other(path: Path) -> None:
    # Polling every minute: only the shared in-process notifier can wake the waiter in time.
    with SqliteStore(path, poll_interval=60) as one, SqliteStore(path, poll_interval=60) as two:
        outcome: list[tuple[bool, float]] = []

        def wait() -> None:
            started = time.monotonic()
            outcome.append((two.wait_for_events(0, timeout=10), time.monotonic() - started))

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.1)
        one.append("todo-1", [new()], precondition=NO_STREAM)
        waiter.join()
        assert outcome[0][0] is True
        assert outcome[0][1] < 5
        assert [e.stream_id for e in two.read_all()] == ["todo-1"]
        with pytest.raises(ConcurrencyError):
            two.append("todo-1", [new()], precondition=NO_STREAM)


def append_from_another_process(path: str, go: Any, delay: float) -> None:
    with SqliteStore(path) as store:
        for round_ in range(2):
            go.wait(30)
            go.clear()
            time.sleep(delay)
            store.append(f"remote-{round_}", [NewEvent(event_id=uuid.uuid4(), type="R", data="{}")])


def test_a_writer_in_another_process_wakes_waiters_by_polling(path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    with SqliteStore(path, poll_interval=0.02) as store:
        child = context.Process(target=append_from_another_process, args=(str(path), go, 0.3))
        child.start()
        try:
            go.set()
            started = time.monotonic()
            assert store.wait_for_events(0, timeout=20) is True
            assert 0.25 < time.monotonic() - started < 15

            subscription = store.subscribe(after=1, poll_interval=60)
            go.set()
            started = time.monotonic()
            batch = subscription.next_batch(timeout=20)
            assert [e.stream_id for e in batch] == ["remote-1"]
            assert 0.25 < time.monotonic() - started < 15
        finally:
            child.join(30)
    assert child.exitcode == 0


def test_the_async_store_polls_for_another_process_too(path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    go = context.Event()

    async def follow() -> list[StoredEvent]:
        async with AsyncSqliteStore(path, poll_interval=0.02) as store:
            subscription = store.subscribe(poll_interval=60)
            go.set()
            first = await subscription.next_batch(timeout=20)
            go.set()
            return first + await subscription.next_batch(timeout=20)

    child = context.Process(target=append_from_another_process, args=(str(path), go, 0.1))
    child.start()
    try:
        started = time.monotonic()
        events = asyncio.run(follow())
        assert [e.stream_id for e in events] == ["remote-0", "remote-1"]
        assert time.monotonic() - started < 30
    finally:
        child.join(30)
    assert child.exitcode == 0


def test_wait_for_events_times_out_when_nothing_comes(store: SqliteStore) -> None:
    store.append("a", [new()])
    assert store.wait_for_events(0, timeout=0) is True
    started = time.monotonic()
    assert store.wait_for_events(1, timeout=0.2) is False
    assert 0.15 < time.monotonic() - started < 2


# -- asyncio -------------------------------------------------------------------------------


def test_the_async_store_keeps_the_contract(path: Path) -> None:
    cause = uuid.uuid4()

    async def scenario() -> None:
        async with AsyncSqliteStore(path, poll_interval=60) as store:
            batch = [new(causation_id=cause), new()]
            result = await store.append("todo-1", batch, precondition=NO_STREAM)
            assert result.positions == (1, 2)
            assert (await store.append("todo-1", batch)).deduplicated
            with pytest.raises(ConcurrencyError):
                await store.append("todo-1", [new()], precondition=ExpectedVersion(1))
            backwards = await store.read_stream("todo-1", direction="backwards")
            assert [e.version for e in backwards] == [2, 1]
            assert [e.position for e in await store.read_caused_by(cause)] == [1]
            assert await store.stream_version("todo-1") == 2
            assert await store.list_streams("todo") == [StreamInfo("todo-1", 2)]
            assert await store.count_streams("todo-") == 1
            snapshot = SnapshotRecord(stream_id="todo-1", version=2, type="S", data="{}")
            await store.save_snapshot(snapshot)
            assert await store.load_snapshot("todo-1", max_version=5) == snapshot
            assert await store.load_snapshot("todo-1", max_version=1) is None

            subscription = store.subscribe(after=await store.head(), poll_interval=60)

            async def append_later() -> None:
                await asyncio.sleep(0.1)
                await store.append("todo-2", [new("Later")])

            writer = asyncio.create_task(append_later())
            started = time.monotonic()
            page = await subscription.next_batch(timeout=10)
            await writer
            assert [e.type for e in page] == ["Later"]
            assert time.monotonic() - started < 5
            assert [e.type for e in await store.read_all(after=2, types={"Later"})] == ["Later"]
        with pytest.raises(StoreError, match="closed"):
            await store.head()

    asyncio.run(scenario())


# -- the reference semantics ----------------------------------------------------------------


def _outcome(store: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
    try:
        value = getattr(store, name)(*args, **kwargs)
    except FabulaError as exc:
        return type(exc), str(exc)
    if isinstance(value, list):
        return [
            msgspec.structs.replace(v, recorded_at=datetime.min)
            if isinstance(v, StoredEvent)
            else v
            for v in value
        ]
    return value


@pytest.mark.parametrize("seed", range(4))
def test_behaves_like_the_memory_store(seed: int) -> None:
    rng = random.Random(seed)
    streams = ["a-1", "a-2", "b-1", "a_x", "a%y", "c", ""]
    used: list[uuid.UUID] = []
    last_append: tuple[tuple[Any, ...], dict[str, Any]] = (("x", []), {})
    memory = MemoryStore()
    with SqliteStore(":memory:") as store:
        for step in range(250):
            kind = rng.choice(["append"] * 4 + ["retry", "read", "log", "list", "snapshot"])
            name = {"retry": "append", "read": "read_stream", "log": "read_all"}.get(kind, kind)
            args: tuple[Any, ...] = ()
            kwargs: dict[str, Any] = {}
            if kind == "append":
                events = [
                    NewEvent(
                        event_id=rng.choice(used)
                        if used and rng.random() < 0.1
                        else uuid.UUID(int=rng.getrandbits(128)),
                        type=rng.choice(["T1", "T2"]),
                        data=f'{{"step": {step}}}',
                        causation_id=rng.choice([None, used[0] if used else None]),
                        correlation_id=rng.choice([None, uuid.UUID(int=7)]),
                    )
                    for _ in range(rng.choice([0, 1, 1, 2, 3]))
                ]
                if len(events) == 2 and rng.random() < 0.1:
                    events[1] = events[0]
                used.extend(e.event_id for e in events)
                precondition = rng.choice(
                    [ANY_VERSION, NO_STREAM, STREAM_EXISTS, ExpectedVersion(rng.randint(0, 4))]
                )
                args, kwargs = (rng.choice(streams), events), {"precondition": precondition}
                last_append = (args, kwargs)
            elif kind == "retry":
                args, kwargs = last_append
            elif kind == "read":
                args = (rng.choice(streams),)
                kwargs = {
                    "direction": rng.choice(["forwards", "backwards"]),
                    "from_version": rng.choice([None, 0, 1, 2]),
                    "to_version": rng.choice([None, 0, 1, 3]),
                    "limit": rng.choice([None, 0, 1, 2]),
                }
            elif kind == "log":
                kwargs = {
                    "after": rng.choice([0, 1, 4, -1]),
                    "limit": rng.choice([None, 1, 3]),
                    "types": rng.choice([None, [], ["T1"], {"T1", "T2"}]),
                    "categories": rng.choice([None, ["a"], ["b", "c"], [""]]),
                }
            elif kind == "list":
                name = rng.choice(["list_streams", "count_streams", "stream_version"])
                args = (rng.choice(["", "a", "a-", "a_", "a%", "b"]),)
                if name == "list_streams":
                    kwargs = {
                        "after": rng.choice([None, "a", "a-1"]),
                        "limit": rng.choice([None, 1]),
                    }
            else:
                name = rng.choice(["save_snapshot", "load_snapshot", "read_caused_by", "head"])
                if name == "save_snapshot":
                    args = (
                        SnapshotRecord(
                            stream_id=rng.choice(streams),
                            version=rng.randint(0, 3),
                            type="S",
                            data=f"[{step}]",
                        ),
                    )
                elif name == "load_snapshot":
                    args = (rng.choice(streams),)
                    kwargs = {"max_version": rng.choice([None, 0, 1, 2, 9])}
                elif name == "read_caused_by":
                    args = (used[0] if used else uuid.UUID(int=1),)
            expected = _outcome(memory, name, args, kwargs)
            assert _outcome(store, name, args, kwargs) == expected, (step, name, args, kwargs)


def test_stored_ids_decode_to_ordinary_uuids() -> None:
    for value in [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.uuid1()]:
        decoded = uuid_from_bytes(value.bytes)
        assert (decoded, hash(decoded), str(decoded), decoded.version) == (
            value,
            hash(value),
            str(value),
            value.version,
        )
        assert {decoded: 1}[value] == 1
