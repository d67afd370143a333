"""Stateful property test: each store backend against a model of the contract.

The model is a dict of lists written here, sharing nothing with the memory backend.
Every example works under a fresh stream-name prefix and from the log head it found,
so a backend may share one database between examples.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, settings, strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from fabula._errors import ConcurrencyError, DuplicateEvent, StreamNotFound
from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    AnyVersion,
    AppendResult,
    EventStore,
    ExpectedVersion,
    NewEvent,
    NoStream,
    Precondition,
    SnapshotRecord,
    StoredEvent,
    StreamExists,
    StreamInfo,
)
from fabula.store.memory import MemoryStore
from fabula.store.sqlite import SqliteStore

NAMES = ["a-1", "a-2", "ab-1", "b-1", "b"]
CATEGORIES = {"a-1": "a", "a-2": "a", "ab-1": "ab", "b-1": "b", "b": "b"}
TYPES = ["Opened", "Noted", "Closed"]
PREFIXES = ["", "a", "a-", "ab", "b", "b-", "c"]
AFTER_IDS = [*NAMES, "a", "a-15", "zz"]

SETTINGS = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

names = st.sampled_from(NAMES)
preconditions = st.one_of(
    st.none(),
    st.sampled_from([NO_STREAM, STREAM_EXISTS, ANY_VERSION]),
    st.builds(ExpectedVersion, st.integers(0, 4)),
)
optional_bound = st.none() | st.integers(0, 6)
optional_limit = st.none() | st.integers(0, 5)


@dataclass(frozen=True)
class Entry:
    """An event as the model holds it."""

    stream_id: str
    version: int
    position: int
    event: NewEvent


def view(stored: StoredEvent) -> tuple[object, ...]:
    return (
        stored.position,
        stored.stream_id,
        stored.version,
        stored.event_id,
        stored.type,
        stored.data,
        stored.schema_version,
        stored.metadata,
        stored.causation_id,
        stored.correlation_id,
    )


def model_view(entry: Entry) -> tuple[object, ...]:
    event = entry.event
    return (
        entry.position,
        entry.stream_id,
        entry.version,
        event.event_id,
        event.type,
        event.data,
        event.schema_version,
        event.metadata,
        event.causation_id,
        event.correlation_id,
    )


def refusal(precondition: object, current: int) -> type[Exception] | None:
    """The error the contract wants for ``precondition`` on a stream at ``current``."""
    if precondition is None or isinstance(precondition, AnyVersion):
        return None
    if isinstance(precondition, NoStream):
        return ConcurrencyError if current else None
    if isinstance(precondition, StreamExists):
        return None if current else StreamNotFound
    assert isinstance(precondition, ExpectedVersion)
    return None if precondition.version == current else ConcurrencyError


def append_options(precondition: Precondition | None) -> dict[str, Precondition]:
    return {} if precondition is None else {"precondition": precondition}


class StoreModel(RuleBasedStateMachine):
    """Random appends, reads, listings and snapshots, each compared with the model."""

    open_store: Callable[[], EventStore]
    batches = Bundle("batches")

    def __init__(self) -> None:
        super().__init__()
        self.store = self.open_store()
        self.run = f"r{uuid.uuid4().hex[:10]}"
        self.cause = uuid.uuid4()
        self.base = self.store.head()
        self.streams: dict[str, list[Entry]] = {}
        self.log: list[Entry] = []
        self.snapshots: dict[str, dict[int, SnapshotRecord]] = {}

    def teardown(self) -> None:
        self.store.close()

    def stream(self, name: str) -> str:
        return f"{self.run}{name}"

    def new_event(self, event_type: str, n: int, *, caused: bool) -> NewEvent:
        return NewEvent(
            event_id=uuid.uuid4(),
            type=event_type,
            data=f'{{"n": {n}}}',
            metadata=f'{{"run": "{self.run}"}}',
            schema_version=1 + n % 2,
            causation_id=self.cause if caused else None,
            correlation_id=self.cause if n % 2 else None,
        )

    @rule(
        target=batches,
        name=names,
        size=st.integers(0, 3),
        event_type=st.sampled_from(TYPES),
        precondition=preconditions,
        caused=st.booleans(),
    )
    def append(self, name, size, event_type, precondition, caused):
        stream = self.stream(name)
        events = [self.new_event(event_type, n, caused=caused) for n in range(size)]
        current = len(self.streams.get(stream, []))
        refused = refusal(precondition, current)
        if refused is not None:
            with pytest.raises(refused) as caught:
                self.store.append(stream, events, **append_options(precondition))
            assert caught.value.stream_id == stream  # type: ignore[attr-defined]
            if isinstance(caught.value, ConcurrencyError):
                assert caught.value.actual == current
            return multiple()
        result = self.store.append(stream, events, **append_options(precondition))
        assert (result.stream_id, result.version, result.deduplicated) == (
            stream,
            current + size,
            False,
        )
        assert len(result.positions) == size
        last = self.log[-1].position if self.log else self.base
        assert list(result.positions) == sorted(set(result.positions))
        assert all(position > last for position in result.positions)
        entries = [
            Entry(stream, current + i + 1, position, event)
            for i, (event, position) in enumerate(zip(events, result.positions, strict=True))
        ]
        if not entries:
            return multiple()
        # The log may show an append a moment after it returns (PostgreSQL's horizon).
        assert self.store.wait_for_events(entries[-1].position - 1, timeout=5.0)
        self.streams.setdefault(stream, []).extend(entries)
        self.log.extend(entries)
        return (stream, tuple(events), result)

    @rule(batch=batches, precondition=preconditions)
    def reappend(self, batch, precondition):
        stream, events, original = batch
        result = self.store.append(stream, list(events), **append_options(precondition))
        assert result == AppendResult(
            stream, original.version, original.positions, deduplicated=True
        )

    @rule(batch=batches, name=names, how=st.sampled_from(["elsewhere", "mixed", "reordered"]))
    def reuse_ids(self, batch, name, how):
        stream, events, _ = batch
        target, attempt = stream, list(events)
        if how == "elsewhere":
            target = self.stream(name)
            assume(target != stream)
        elif how == "mixed":
            attempt = [events[-1], self.new_event("Noted", 0, caused=False)]
        else:
            assume(len(events) > 1)
            attempt.reverse()
        with pytest.raises(DuplicateEvent) as caught:
            self.store.append(target, attempt)
        assert caught.value.stream_id == target

    @rule(
        name=names,
        direction=st.sampled_from(["forwards", "backwards"]),
        low=optional_bound,
        high=optional_bound,
        limit=optional_limit,
    )
    def read_stream(self, name, direction, low, high, limit):
        stream = self.stream(name)
        want = [
            entry
            for entry in self.streams.get(stream, [])
            if (low is None or entry.version >= low) and (high is None or entry.version <= high)
        ]
        if direction == "backwards":
            want.reverse()
        got = self.store.read_stream(
            stream, direction=direction, from_version=low, to_version=high, limit=limit
        )
        assert [view(e) for e in got] == [model_view(e) for e in want[:limit]]

    @rule(
        data=st.data(),
        limit=optional_limit,
        types=st.none() | st.sets(st.sampled_from(TYPES)),
        categories=st.none() | st.sets(st.sampled_from(["a", "ab", "b", "c"])),
    )
    def read_all(self, data, limit, types, categories):
        after = data.draw(st.sampled_from([self.base, *(e.position for e in self.log)]))
        wanted_categories = None if categories is None else {self.stream(c) for c in categories}
        want = [
            entry
            for entry in self.log
            if entry.position > after
            and (types is None or entry.event.type in types)
            and (
                wanted_categories is None
                or self.stream(CATEGORIES[entry.stream_id.removeprefix(self.run)])
                in wanted_categories
            )
        ]
        got = self.store.read_all(
            after=after, limit=limit, types=types, categories=wanted_categories
        )
        assert [view(e) for e in got] == [model_view(e) for e in want[:limit]]

    @rule()
    def read_caused_by(self):
        want = [entry for entry in self.log if entry.event.causation_id == self.cause]
        got = self.store.read_caused_by(self.cause)
        assert [view(e) for e in got] == [model_view(e) for e in want]

    @rule(
        prefix=st.sampled_from(PREFIXES),
        after=st.none() | st.sampled_from(AFTER_IDS),
        limit=optional_limit,
    )
    def list_streams(self, prefix, after, limit):
        full = self.stream(prefix)
        after_id = None if after is None else self.stream(after)
        matching = sorted(s for s in self.streams if s.startswith(full))
        listed = [s for s in matching if after_id is None or s > after_id][:limit]
        want = [StreamInfo(s, len(self.streams[s])) for s in listed]
        assert self.store.list_streams(full, after=after_id, limit=limit) == want
        assert self.store.count_streams(full) == len(matching)

    @rule(name=names, data=st.data(), tag=st.integers(0, 9))
    def save_snapshot(self, name, data, tag):
        stream = self.stream(name)
        current = len(self.streams.get(stream, []))
        assume(current > 0)
        version = data.draw(st.integers(1, current))
        snapshot = SnapshotRecord(
            stream_id=stream, version=version, type="State", data=f'{{"tag": {tag}}}'
        )
        self.store.save_snapshot(snapshot)
        self.snapshots.setdefault(stream, {})[version] = snapshot

    @rule(name=names, max_version=optional_bound)
    def load_snapshot(self, name, max_version):
        stream = self.stream(name)
        saved = self.snapshots.get(stream, {})
        eligible = [v for v in saved if max_version is None or v <= max_version]
        want = saved[max(eligible)] if eligible else None
        assert self.store.load_snapshot(stream, max_version=max_version) == want

    @invariant()
    def versions_and_head(self):
        for name in NAMES:
            stream = self.stream(name)
            assert self.store.stream_version(stream) == len(self.streams.get(stream, []))
        assert self.store.head() == (self.log[-1].position if self.log else self.base)


def check_against_model(open_store: Callable[[], EventStore]) -> None:
    """Run the state machine with a store from ``open_store()`` per example."""
    machine = type("Machine", (StoreModel,), {"open_store": staticmethod(open_store)})
    run_state_machine_as_test(machine, settings=SETTINGS)


def test_memory_store_matches_model():
    check_against_model(MemoryStore)


def test_sqlite_store_matches_model(tmp_path):
    check_against_model(lambda: SqliteStore(tmp_path / f"{uuid.uuid4().hex}.db"))


@pytest.mark.postgres
def test_postgres_store_matches_model(postgres_schema_url):
    from fabula.store.postgres import PostgresStore

    check_against_model(lambda: PostgresStore.from_url(postgres_schema_url))
