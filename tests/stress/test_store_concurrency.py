"""Many writers at once, per backend: optimistic concurrency and the global log hold.

- One stream, many writers appending with ``ExpectedVersion``: exactly one writer wins
  each version, the others get ``ConcurrencyError``, versions stay contiguous, every
  winner's event is stored once and no loser's event at all.
- Many writers on distinct streams with a tailing reader: nothing lost or duplicated,
  positions unique and increasing, and the tail sees exactly the log, in order.
- Many stores opened at the same moment on a new database all work (schema creation).

Each writer thread has its own store on the same database (as separate processes
would), except where noted.
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fabula._errors import ConcurrencyError
from fabula.store import AppendResult, EventStore, ExpectedVersion, NewEvent, StoredEvent
from fabula.store.memory import MemoryLog, MemoryStore
from fabula.store.sqlite import SqliteStore

pytestmark = pytest.mark.timeout(120)

WRITERS = 8
LOCKSTEP_ROUNDS = 50
FREE_RUN_VERSIONS = 300
APPENDS_PER_WRITER = 60
STREAMS_PER_WRITER = 3


class Stores:
    """Opens stores on one shared database; closes them all at the end of the test."""

    def __init__(self, make: Callable[[], EventStore]) -> None:
        self._make = make
        self.opened: list[EventStore] = []

    def open(self, *, used: bool = True) -> EventStore:
        """A new store on the database, already used once unless ``used=False``.

        Tests of appends get used stores: opening at once is another test's subject.
        """
        store = self._make()
        self.opened.append(store)
        if used:
            store.head()
        return store


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    if request.param == "memory":
        log = MemoryLog()

        def make() -> EventStore:
            return MemoryStore(log)

    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'events.db'}"

        def make() -> EventStore:
            return SqliteStore.from_url(url)

    else:
        from fabula.store.postgres import PostgresStore

        schema_url = request.getfixturevalue("postgres_schema_url")

        def make() -> EventStore:
            return PostgresStore.from_url(schema_url)

    made = Stores(make)
    yield made
    for store in made.opened:
        store.close()


def event(n: int = 0) -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type="Tried", data=f'{{"n": {n}}}')


def run_threads(targets: list[Callable[[], None]]) -> None:
    """Run each target in a thread; re-raise the first error any of them hit."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not any(t.is_alive() for t in threads), "a writer thread hung"
    if errors:
        raise errors[0]


def settle(store: EventStore, position: int) -> None:
    """Wait until the log shows ``position`` (PostgreSQL shows appends a moment late)."""
    assert store.wait_for_events(position - 1, timeout=10.0), f"position {position} never showed"


def assert_log_well_formed(events: list[StoredEvent]) -> None:
    found = [e.position for e in events]
    assert found == sorted(set(found)), "positions are not unique and increasing"
    assert len({e.event_id for e in events}) == len(events), "an event is stored twice"


def test_stores_opened_at_once_work(stores):
    """Writers that open their stores on a new database at the same moment all get going.

    (Processes starting together: each may find the schema missing and create it.)
    """
    fresh = [stores.open(used=False) for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS, timeout=30)
    stream = f"start-{uuid.uuid4().hex}"

    def writer(store: EventStore) -> Callable[[], None]:
        def run() -> None:
            barrier.wait()
            store.append(stream, [event()])

        return run

    run_threads([writer(store) for store in fresh])
    assert fresh[0].stream_version(stream) == WRITERS


def test_one_winner_per_version_in_lockstep(stores):
    """Every round, all writers read the same version, then race to append at it."""
    writers = [stores.open() for _ in range(WRITERS)]
    stream = f"race-{uuid.uuid4().hex}"
    barrier = threading.Barrier(WRITERS, timeout=30)
    wins: list[tuple[int, NewEvent, AppendResult]] = []
    losses: list[tuple[int, NewEvent, ConcurrencyError]] = []

    def writer(store: EventStore) -> Callable[[], None]:
        def run() -> None:
            try:
                for _ in range(LOCKSTEP_ROUNDS):
                    version = store.stream_version(stream)
                    mine = event(version)
                    barrier.wait()
                    try:
                        result = store.append(stream, [mine], precondition=ExpectedVersion(version))
                    except ConcurrencyError as error:
                        losses.append((version, mine, error))
                    else:
                        wins.append((version, mine, result))
                    barrier.wait()
            except BaseException:
                barrier.abort()
                raise

        return run

    run_threads([writer(store) for store in writers])

    assert sorted(version for version, _, _ in wins) == list(range(LOCKSTEP_ROUNDS))
    assert len(losses) == LOCKSTEP_ROUNDS * (WRITERS - 1)
    for version, _, error in losses:
        assert error.stream_id == stream
        assert error.expected == str(ExpectedVersion(version))
        assert error.actual != version
    stored = writers[0].read_stream(stream)
    assert [e.version for e in stored] == list(range(1, LOCKSTEP_ROUNDS + 1))
    winner_at = {version + 1: (mine, result) for version, mine, result in wins}
    for item in stored:
        mine, result = winner_at[item.version]
        assert item.event_id == mine.event_id
        assert result.version == item.version
        assert result.positions == (item.position,)
    settle(writers[0], max(result.positions[-1] for _, _, result in wins))
    everything = writers[0].read_all()
    assert_log_well_formed(everything)
    lost_ids = {mine.event_id for _, mine, _ in losses}
    assert lost_ids.isdisjoint(e.event_id for e in everything), "a loser's event was stored"


def test_free_running_writers_keep_versions_contiguous(stores):
    """Writers loop (read version, append at it) with no coordination until the target."""
    writers = [stores.open() for _ in range(WRITERS)]
    stream = f"race-{uuid.uuid4().hex}"
    wins: list[tuple[int, NewEvent, AppendResult]] = []
    lost: list[NewEvent] = []

    def writer(store: EventStore) -> Callable[[], None]:
        def run() -> None:
            while (version := store.stream_version(stream)) < FREE_RUN_VERSIONS:
                mine = event(version)
                time.sleep(0)  # deciding takes a moment: let other writers in
                try:
                    result = store.append(stream, [mine], precondition=ExpectedVersion(version))
                except ConcurrencyError:
                    lost.append(mine)
                else:
                    wins.append((version + 1, mine, result))

        return run

    run_threads([writer(store) for store in writers])

    stored = writers[0].read_stream(stream)
    assert [e.version for e in stored] == list(range(1, FREE_RUN_VERSIONS + 1))
    assert sorted(v for v, _, _ in wins) == list(range(1, FREE_RUN_VERSIONS + 1))
    winner_at = {version: (mine, result) for version, mine, result in wins}
    for item in stored:
        mine, result = winner_at[item.version]
        assert (item.event_id, item.position) == (mine.event_id, result.position)
    settle(writers[0], stored[-1].position)
    everything = writers[0].read_all()
    assert_log_well_formed(everything)
    assert {m.event_id for m in lost}.isdisjoint(e.event_id for e in everything)


def test_writers_on_distinct_streams_lose_nothing(stores):
    """Writers share one store, each on streams of its own; a tail follows from another."""
    store, tail_store = stores.open(), stores.open()
    base = store.head()
    run = uuid.uuid4().hex[:8]
    written: dict[str, list[NewEvent]] = {}
    last_positions: list[int] = []
    finished = threading.Event()
    expected_total: list[int] = []
    tailed: list[StoredEvent] = []

    def writer(index: int) -> Callable[[], None]:
        streams = [f"w{run}-{index}-{k}" for k in range(STREAMS_PER_WRITER)]
        for stream in streams:
            written[stream] = []

        def go() -> None:
            for n in range(APPENDS_PER_WRITER):
                stream = streams[n % STREAMS_PER_WRITER]
                batch = [event(n) for _ in range(1 + n % 3)]
                result = store.append(stream, batch)
                written[stream].extend(batch)
                last_positions.append(result.positions[-1])

        return go

    def tail() -> None:
        deadline = time.monotonic() + 60
        with tail_store.subscribe(after=base, poll_interval=0.05) as subscription:
            while time.monotonic() < deadline:
                tailed.extend(subscription.next_batch(timeout=0.2))
                if finished.is_set() and len(tailed) >= expected_total[0]:
                    return

    tail_thread = threading.Thread(target=tail)
    tail_thread.start()
    try:
        run_threads([writer(i) for i in range(WRITERS)])
    finally:
        expected_total.append(sum(len(batch) for batch in written.values()))
        finished.set()
        tail_thread.join(90)

    settle(store, max(last_positions))
    everything = store.read_all(after=base)
    assert_log_well_formed(everything)
    assert len(everything) == expected_total[0]
    for stream, events in written.items():
        stored = store.read_stream(stream)
        assert [e.event_id for e in stored] == [e.event_id for e in events], stream
        assert [e.version for e in stored] == list(range(1, len(events) + 1)), stream
    assert [e.event_id for e in tailed] == [e.event_id for e in everything]
    assert [e.position for e in tailed] == [e.position for e in everything]
