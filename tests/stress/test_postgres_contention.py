"""Many writers on one PostgreSQL stream: each version is won by exactly one of them.

- Optimistic writers (``ExpectedVersion``) race for every next version: each version is
  written once, by one writer; the losers get ``ConcurrencyError`` and retry.
- Writers racing to create one stream with ``NO_STREAM``: exactly one wins.
- Writers appending with ``ANY_VERSION`` all succeed, at contiguous versions.
"""

import threading
import uuid
from collections import Counter
from uuid import UUID

import pytest

from fabula._errors import ConcurrencyError
from fabula.store import ANY_VERSION, NO_STREAM, ExpectedVersion, NewEvent
from fabula.store.postgres import PostgresStore

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

WRITERS = 8
VERSIONS = 240


def _event() -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type="Contended", data="{}")


def _run_writers(count: int, target) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            target(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors


@pytest.fixture
def store(postgres_schema_url):
    opened = PostgresStore.from_url(postgres_schema_url, max_size=WRITERS + 1)
    opened.open()
    yield opened
    opened.close()


def test_each_version_is_won_by_exactly_one_writer(store):
    stream = "contended-1"
    won: list[tuple[int, int, UUID]] = []  # (version, writer, event id)
    conflicts = Counter[int]()
    refusals: list[tuple[str, int, int]] = []  # (stream, expected, actual)

    def writer(index: int) -> None:
        while True:
            current = store.stream_version(stream)
            if current >= VERSIONS:
                return
            event = _event()
            try:
                result = store.append(stream, [event], precondition=ExpectedVersion(current))
            except ConcurrencyError as exc:
                refusals.append((exc.stream_id, current, exc.actual))
                conflicts[index] += 1
                continue
            assert result.version == current + 1
            won.append((result.version, index, event.event_id))

    _run_writers(WRITERS, writer)
    versions = sorted(version for version, _, _ in won)
    assert versions == list(range(1, VERSIONS + 1)), "a version was won twice, or never"
    stored = store.read_stream(stream)
    assert [e.version for e in stored] == list(range(1, len(won) + 1))
    assert [e.event_id for e in stored] == [event_id for _, _, event_id in sorted(won)]
    assert sum(conflicts.values()) > 0, "the writers never raced: the test proved nothing"
    assert all(s == stream and actual > expected for s, expected, actual in refusals)
    assert len({writer for _, writer, _ in won}) > 1


def test_one_writer_creates_a_stream_the_others_are_refused(store):
    for round_ in range(20):
        stream = f"created-{round_}"
        winners: list[int] = []
        refused: list[int] = []

        def writer(index: int, stream: str = stream, winners=winners, refused=refused) -> None:
            try:
                store.append(stream, [_event()], precondition=NO_STREAM)
            except ConcurrencyError:
                refused.append(index)
            else:
                winners.append(index)

        _run_writers(WRITERS, writer)
        assert len(winners) == 1, (stream, winners)
        assert len(refused) == WRITERS - 1
        assert store.stream_version(stream) == 1


def test_any_version_writers_all_land_at_contiguous_versions(store):
    stream = "anyversion-1"
    appended: list[UUID] = []

    def writer(_: int) -> None:
        for _ in range(30):
            event = _event()
            store.append(stream, [event, _event()], precondition=ANY_VERSION)
            appended.append(event.event_id)

    _run_writers(WRITERS, writer)
    stored = store.read_stream(stream)
    assert [e.version for e in stored] == list(range(1, WRITERS * 30 * 2 + 1))
    assert {e.event_id for e in stored[::2]} == set(appended), "a batch was split or lost"
