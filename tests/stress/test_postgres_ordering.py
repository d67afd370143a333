"""Many writers, one live subscriber, on PostgreSQL: nothing is ever skipped.

Eight writers (threads, then processes) append to distinct streams while a subscriber
follows the log live. A trigger sleeps a random 0-4 ms inside every append's
transaction, after its positions are assigned, so transactions commit out of the order
they started in: the case where a naive log skips events for good. The subscriber must
see every committed event exactly once, in strictly increasing positions.

Writers killed with SIGKILL in the middle of it all neither stall the subscriber nor tear
a stream. The last tests run the same harness against the store with its visibility
horizon removed, and with appends that do not announce themselves (so the horizon takes
them for transactions outside the store), and expect it to catch the skipped events:
proof the harness can fail.

Run with ``-s`` to see the figures (events, writers, skipped, throughput).
"""

import dataclasses
import itertools
import multiprocessing
import queue
import threading
import time
import uuid
from collections.abc import Callable
from uuid import UUID

import pytest
from psycopg import sql

from fabula.store import NewEvent, StoredEvent
from fabula.store.postgres import PostgresStore
from fabula.store.postgres._ordering import HORIZON, append_key

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

WRITERS = 8
APPENDS = 400  # per writer; batches of 1 to 3 events
MAX_PAUSE = 0.004  # seconds slept inside each append's transaction, at random
CATCH_UP = 30.0  # seconds the subscriber may take to see everything after the writers stop

_PAUSE = """
CREATE FUNCTION {schema}.stress_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(random() * {pause}); RETURN NULL; END $$;
CREATE TRIGGER stress_pause AFTER INSERT ON {schema}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.stress_pause();
"""


def _events(count: int) -> list[NewEvent]:
    return [NewEvent(event_id=uuid.uuid4(), type="Stressed", data='{"n": 1}') for _ in range(count)]


def _writer_batches(writer: int) -> list[tuple[str, list[NewEvent]]]:
    """The appends of one writer: its own streams, 1 to 3 events each."""
    return [(f"stress{writer}-{n % 7}", _events(1 + (n * 7 + writer) % 3)) for n in range(APPENDS)]


def _open(url: str, **settings) -> PostgresStore:
    store = PostgresStore.from_url(url, **settings)
    store.open()
    return store


def _install_pauses(store: PostgresStore) -> None:
    schema = sql.Identifier(store.settings.schema)
    text = sql.SQL(_PAUSE).format(schema=schema, pause=sql.Literal(MAX_PAUSE))
    with store._db.pool.connection() as conn:
        conn.execute(text)


class _Follower:
    """A live subscriber in a thread, collecting what it is given."""

    def __init__(self, store: PostgresStore) -> None:
        self.seen: list[StoredEvent] = []
        self._stop = threading.Event()
        self._subscription = store.subscribe(after=0, batch_size=200, poll_interval=0.2)
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.seen.extend(self._subscription.next_batch(timeout=0.2))
        except BaseException as exc:
            self._errors.append(exc)

    def wait_for(self, wanted: set[UUID], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not wanted <= {e.event_id for e in self.seen}:
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._subscription.close()
        if self._errors:
            raise self._errors[0]


@dataclasses.dataclass
class _Figures:
    variant: str
    appends: int
    events: int
    skipped: int
    duplicates: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.variant}: writers={WRITERS} appends={self.appends} events={self.events}"
            f" skipped={self.skipped} duplicates={self.duplicates} seconds={self.seconds:.2f}"
            f" appends/s={self.appends / self.seconds:.0f}"
            f" events/s={self.events / self.seconds:.0f}"
        )


def _run(
    store: PostgresStore,
    variant: str,
    write: Callable[[], dict[UUID, int]],
    catch_up: float = CATCH_UP,
) -> tuple[_Figures, list[StoredEvent], dict[UUID, int]]:
    """Follow the log while ``write()`` appends; return figures, deliveries, positions."""
    _install_pauses(store)
    follower = _Follower(store)
    started = time.monotonic()
    written = write()
    seconds = time.monotonic() - started
    follower.wait_for(set(written), catch_up)
    follower.stop()
    seen = follower.seen
    ids = [event.event_id for event in seen]
    figures = _Figures(
        variant=variant,
        appends=WRITERS * APPENDS,
        events=len(written),
        skipped=len(set(written) - set(ids)),
        duplicates=len(ids) - len(set(ids)),
        seconds=seconds,
    )
    print(figures.line())
    return figures, seen, written


def _expect_gapless(
    store: PostgresStore, figures: _Figures, seen: list[StoredEvent], written: dict[UUID, int]
) -> None:
    assert figures.skipped == 0, figures.line()
    assert figures.duplicates == 0, figures.line()
    positions = [event.position for event in seen]
    assert all(a < b for a, b in itertools.pairwise(positions)), "out of order"
    assert {e.event_id: e.position for e in seen} == written, "positions differ from append's"
    assert [e.event_id for e in seen] == [e.event_id for e in store.read_all()], "log differs"


def _write_with_threads(store: PostgresStore) -> dict[UUID, int]:
    written: dict[UUID, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(index: int) -> None:
        try:
            batches = _writer_batches(index)
            start.wait()
            for stream, events in batches:
                result = store.append(stream, events)
                written.update(zip((e.event_id for e in events), result.positions, strict=True))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return written


def _process_writer(url: str, index: int, ready, go, results) -> None:
    """One writer process: open a store, wait for the start, append, report positions."""
    store = _open(url, min_size=1, max_size=1)
    try:
        batches = _writer_batches(index)
        ready.put(index)
        go.wait(60)
        written: dict[UUID, int] = {}
        for stream, events in batches:
            result = store.append(stream, events)
            written.update(zip((e.event_id for e in events), result.positions, strict=True))
        results.put(written)
    finally:
        store.close()


def _write_with_processes(url: str) -> Callable[[], dict[UUID, int]]:
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(target=_process_writer, args=(url, i, ready, go, results))
        for i in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=60)

    def write() -> dict[UUID, int]:
        go.set()
        written: dict[UUID, int] = {}
        try:
            for _ in processes:
                written.update(results.get(timeout=90))
        except queue.Empty:
            pytest.fail("a writer process did not report")
        for process in processes:
            process.join(30)
            assert process.exitcode == 0
        return written

    return write


def _endless_writer(url: str, index: int, ready, stop) -> None:
    """Append until ``stop`` is set (or the process is killed)."""
    store = _open(url, min_size=1, max_size=1)
    try:
        ready.put(index)
        n = 0
        while not stop.is_set():
            store.append(f"killed{index}-{n % 7}", _events(1 + n % 3))
            n += 1
    finally:
        store.close()


def test_killed_writers_never_stall_or_tear_the_log(postgres_schema_url):
    store = _open(postgres_schema_url)
    _install_pauses(store)
    follower = _Follower(store)
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    processes = [
        context.Process(target=_endless_writer, args=(postgres_schema_url, i, ready, stop))
        for i in range(WRITERS)
    ]
    try:
        for process in processes:
            process.start()
        for _ in processes:
            ready.get(timeout=60)
        time.sleep(0.5)
        for process in processes[:3]:  # kill -9, most likely inside a transaction
            process.kill()
        time.sleep(0.5)
        stop.set()
        for process in processes:
            process.join(30)
        assert [p.exitcode for p in processes[3:]] == [0] * (WRITERS - 3)
        # A killed writer's last append may still commit: wait until the log stops growing.
        head, settled = -1, store.head()
        while settled != head:
            time.sleep(0.3)
            head, settled = settled, store.head()
        follower.wait_for({e.event_id for e in store.read_all()}, CATCH_UP)
        follower.stop()
        log = store.read_all()
        assert [e.event_id for e in follower.seen] == [e.event_id for e in log]
        versions: dict[str, list[int]] = {}
        for event in log:
            versions.setdefault(event.stream_id, []).append(event.version)
        assert all(v == list(range(1, len(v) + 1)) for v in versions.values()), "torn stream"
        print(f"killed writers: 3 of {WRITERS}, events={len(log)}, skipped=0")
    finally:
        stop.set()
        for process in processes:
            process.kill()
            process.join(10)
        store.close()


def test_thread_writers_never_make_the_subscriber_skip(postgres_schema_url):
    store = _open(postgres_schema_url, max_size=WRITERS + 2)
    try:
        figures, seen, written = _run(store, "threads", lambda: _write_with_threads(store))
        _expect_gapless(store, figures, seen, written)
    finally:
        store.close()


def test_process_writers_never_make_the_subscriber_skip(postgres_schema_url):
    store = _open(postgres_schema_url)
    try:
        write = _write_with_processes(postgres_schema_url)
        figures, seen, written = _run(store, "processes", write)
        _expect_gapless(store, figures, seen, written)
    finally:
        store.close()


def test_the_harness_catches_a_log_without_horizon(postgres_schema_url):
    store = _open(postgres_schema_url, max_size=WRITERS + 2)
    schema = sql.Identifier(store.settings.schema)
    key = sql.SQL(", ").join(append_key(store.settings.schema))
    horizon = b"position < (" + HORIZON.format(schema=schema, key=key).as_bytes(None) + b")"
    statements = store._sql
    store._sql = dataclasses.replace(
        statements,
        read_all=statements.read_all.replace(b"AND " + horizon, b""),
        head=statements.head.replace(b"WHERE " + horizon, b""),
    )
    assert store._sql.read_all != statements.read_all
    assert store._sql.head != statements.head
    try:
        write = lambda: _write_with_threads(store)  # noqa: E731
        figures, _, _ = _run(store, "threads, no horizon", write, catch_up=3.0)
    finally:
        store.close()
    assert figures.skipped > 0, "the harness saw no skipped event without the horizon"


def test_the_harness_catches_appends_that_do_not_announce_themselves(postgres_schema_url):
    store = _open(postgres_schema_url, max_size=WRITERS + 2)
    statements = store._sql
    announced, hidden = b"hashtext('fabula.append')", b"hashtext('fabula.mutant')"
    changed = {
        name: getattr(statements, name).replace(announced, hidden)
        for name in ("append_any", "append_one_any")
    }
    assert all(announced in getattr(statements, name) for name in changed)
    store._sql = dataclasses.replace(statements, **changed)
    try:
        write = lambda: _write_with_threads(store)  # noqa: E731
        figures, _, _ = _run(store, "threads, appends not announced", write, catch_up=3.0)
    finally:
        store.close()
    assert figures.skipped > 0, "the harness saw no skipped event without the announcement"
