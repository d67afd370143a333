"""``append_many`` on PostgreSQL: preconditions on streams that do not exist yet hold.

Two batches are forced to overlap: the first stops inside its transaction (an append
hook waits), after its statements ran, while the second runs. Each batch creates one
stream and asserts that the other's does not exist (``NO_STREAM``, or
``ExpectedVersion(0)``). Exactly one of them may commit, as on the other backends.
"""

import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from fabula._errors import ConcurrencyError
from fabula._postgres._settings import split_url
from fabula.store import (
    NO_STREAM,
    AppendResult,
    ExpectedVersion,
    NewEvent,
    Precondition,
    StreamAppend,
)
from fabula.store.postgres import PostgresStore

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]

APP = "batch-overlap"


def _event(kind: str) -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type=kind, data="{}")


@pytest.fixture
def store(postgres_schema_url) -> Iterator[PostgresStore]:
    opened = PostgresStore.from_url(postgres_schema_url, application_name=APP)
    opened.open()
    yield opened
    opened.close()


class _Batch(threading.Thread):
    """One ``append_many`` call in a thread; keeps its results or its error."""

    def __init__(self, store: PostgresStore, appends) -> None:
        super().__init__(daemon=True)
        self._store, self._appends = store, appends
        self.results: list[AppendResult] | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.results = self._store.append_many(self._appends)
        except BaseException as exc:
            self.error = exc


def _waiting_on_a_lock(conninfo: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
            " AND wait_event_type = 'Lock'",
            (APP,),
        ).fetchone()
    return row is not None and row[0] > 0


@pytest.mark.parametrize("absent", [NO_STREAM, ExpectedVersion(0)], ids=["no_stream", "v0"])
def test_overlapping_batches_that_assert_each_others_streams_absent(
    store, postgres_schema_url, absent: Precondition
):
    inside, release = threading.Event(), threading.Event()

    def hold(tx, records) -> None:  # the first batch stops here, before its commit
        inside.set()
        release.wait(20)

    store.add_append_hook(hold, types=["First"])
    first = _Batch(
        store,
        [StreamAppend("a-1", [_event("First")], absent), StreamAppend("b-1", [], absent)],
    )
    try:
        assert inside.wait(10), "the first batch never reached its hook"
        second = _Batch(
            store,
            [StreamAppend("a-1", [], absent), StreamAppend("b-1", [_event("Second")], absent)],
        )
        conninfo, _ = split_url(postgres_schema_url)
        deadline = time.monotonic() + 10
        while second.is_alive() and not _waiting_on_a_lock(conninfo):
            assert time.monotonic() < deadline, "the second batch neither ended nor waited"
            time.sleep(0.02)
    finally:
        release.set()
    first.join(20)
    second.join(20)
    outcomes = sorted(
        "committed" if b.results is not None else type(b.error).__name__ for b in (first, second)
    )
    assert outcomes == ["ConcurrencyError", "committed"], (first.error, second.error)
    assert first.results is not None, "the batch that went first is the one that commits"
    assert isinstance(second.error, ConcurrencyError)
    assert second.error.stream_id == "a-1"
    assert store.stream_version("a-1") == 1
    assert store.stream_version("b-1") == 0
    assert [s.stream_id for s in store.list_streams()] == ["a-1"], "a placeholder was left"


def test_a_batch_asserting_an_absent_stream_does_not_create_it(store):
    results = store.append_many(
        [StreamAppend("c-1", [_event("Third")]), StreamAppend("d-1", [], NO_STREAM)]
    )
    assert [r.version for r in results] == [1, 0]
    assert store.stream_version("d-1") == 0
    assert store.count_streams() == 1
    store.append("d-1", [_event("Fourth")], precondition=NO_STREAM)
    assert store.stream_version("d-1") == 1


def test_a_batch_with_more_events_than_one_transaction_numbers_is_refused(store) -> None:
    from fabula._errors import ConfigurationError

    head = store.head()
    appends = [
        StreamAppend(f"big-{uuid.uuid4()}", [_event("Big") for _ in range(32_769)])
        for _ in range(2)
    ]
    with pytest.raises(ConfigurationError, match="at most 65536 events"):
        store.append_many(appends)
    assert store.head() == head


def test_batches_with_events_lock_shared_streams_in_one_order(store) -> None:
    # Each batch names the same streams in its own shuffled order: the one-statement
    # append takes their rows by id, so concurrent batches wait for each other, never
    # deadlock, and every event is stored once.
    import random

    streams = [f"shared-{uuid.uuid4()}" for _ in range(20)]
    store.append_many([StreamAppend(s, [_event("Opened")]) for s in streams])
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        order = list(streams)
        shuffle = random.Random(seed).shuffle
        try:
            for _ in range(15):
                shuffle(order)
                store.append_many([StreamAppend(s, [_event("Bumped")]) for s in order])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {store.stream_version(s) for s in streams} == {61}
