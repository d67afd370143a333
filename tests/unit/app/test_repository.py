from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from fabula import (
    NO_STREAM,
    CodecError,
    ConcurrencyError,
    Decider,
    ExpectedVersion,
    InvalidArgument,
    InvalidStreamId,
    Repository,
    SnapshotEvery,
    UnknownEventType,
    event,
    open_async_store,
    open_store,
)
from fabula.app import AsyncRepository, Flow, NeverSnapshot
from fabula.store import NewEvent, SnapshotRecord

from .domain import Add, Added, Counter, Open, Opened, Total, functional_counter, stream


def filled(model: Any, *, snapshots: Any = None, adds: int = 9) -> Flow:
    flow = Flow(open_store("memory://"))
    flow.register(model, stream_id=stream, snapshots=snapshots or NeverSnapshot())
    flow.dispatch(Open("a", "x"))
    for i in range(adds):
        flow.dispatch(Add("a", i + 1))
    return flow


@pytest.mark.parametrize("model", [Counter, functional_counter], ids=["class", "functional"])
def test_snapshot_every_n_is_written_and_used(model: Any) -> None:
    flow = filled(model, snapshots=SnapshotEvery(4))
    store = flow.store
    newest = store.load_snapshot("counter-a")
    older = store.load_snapshot("counter-a", max_version=7)
    assert newest is not None
    assert older is not None
    assert (newest.version, older.version) == (8, 4)
    loaded = flow.repository(model).load("counter-a")
    assert (loaded.version, loaded.snapshot_version, loaded.state.total) == (10, 8, 45)


def test_time_travel_loads_a_past_version() -> None:
    flow = filled(Counter, snapshots=SnapshotEvery(4))
    repo = flow.repository(Counter)
    past = repo.load("counter-a", as_of_version=6)
    assert (past.version, past.state.total, past.snapshot_version) == (6, 15, 4)
    assert repo.load("counter-a", as_of_version=1).state == Counter(name="x", total=0)


def test_unreadable_snapshot_falls_back_to_full_replay(caplog: pytest.LogCaptureFixture) -> None:
    flow = filled(Counter, snapshots=SnapshotEvery(1000))
    flow.store.save_snapshot(
        SnapshotRecord(stream_id="counter-a", version=9, type="counter", data='{"total": "oops"}')
    )
    with caplog.at_level(logging.WARNING, logger="fabula.repository"):
        loaded = flow.repository(Counter).load("counter-a")
    assert (loaded.snapshot_version, loaded.state.total) == (None, 45)
    assert "counter-a" in caplog.text


def test_snapshot_of_another_state_version_is_ignored() -> None:
    flow = filled(Counter, snapshots=SnapshotEvery(1000))
    flow.store.save_snapshot(
        SnapshotRecord(
            stream_id="counter-a",
            version=9,
            type="counter",
            data='{"name": "x", "total": 999}',
            schema_version=2,
        )
    )
    loaded = flow.repository(Counter).load("counter-a")
    assert (loaded.snapshot_version, loaded.state.total) == (None, 45)


def test_manual_snapshot_and_history() -> None:
    flow = filled(Counter, adds=2)
    repo = flow.repository(Counter)
    assert repo.save_snapshot("counter-a") == 3
    history = repo.history("counter-a")
    assert [r.event for r in history] == [Opened("x"), Added(1), Added(2)]
    assert [r.version for r in history] == [1, 2, 3]


def test_unknown_stored_event_type_names_stream_version_and_position() -> None:
    flow = filled(Counter, adds=1)
    flow.store.append(
        "counter-a", [NewEvent(event_id=uuid.uuid4(), type="counter_renamed", data="{}")]
    )
    with pytest.raises(UnknownEventType) as caught:
        flow.repository(Counter).load("counter-a")
    error = caught.value
    assert (error.stream_id, error.version, error.position, error.type_name) == (
        "counter-a",
        3,
        3,
        "counter_renamed",
    )
    assert "'counter-a'" in str(error)
    assert "version 3" in str(error)
    assert "position 3" in str(error)


def test_corrupt_payload_is_a_codec_error_with_coordinates() -> None:
    store = open_store("memory://")
    store.append(
        "counter-b", [NewEvent(event_id=uuid.uuid4(), type="counter_opened", data='{"nam": 1}')]
    )
    with pytest.raises(CodecError, match=r"counter-b.*version 1.*position 1"):
        Repository(store, Counter).load("counter-b")


@event("thing_renamed", version=2)
@dataclass(frozen=True)
class Renamed:
    full_name: str


def test_upcasting_old_schema_versions() -> None:
    store = open_store("memory://")
    store.append(
        "thing-1",
        [NewEvent(event_id=uuid.uuid4(), type="thing_renamed", data='{"name":"a"}')],
    )
    decider: Decider[str, object, Renamed] = Decider(
        name="thing",
        initial_state=str,
        decide=lambda c, s: [],
        evolve=lambda s, e: e.full_name,
        events=(Renamed,),
    )
    repo = Repository(store, decider)
    with pytest.raises(CodecError, match="no upcaster"):
        repo.load("thing-1")
    repo.registry.upcaster("thing_renamed", from_version=1)(
        lambda old: {"full_name": old["name"].upper()}
    )
    assert repo.load("thing-1").state == "A"


def test_async_repository_loads_like_the_sync_one() -> None:
    async def scenario() -> Total:
        store = open_async_store("memory://")
        repo = AsyncRepository(store, functional_counter, snapshots=SnapshotEvery(2))
        loaded = await repo.load("counter-z")
        for amount in (1, 2, 3):
            await repo.append(
                "counter-z", [Added(amount)] if loaded.version else [Opened("z")], loaded=loaded
            )
            loaded = await repo.load("counter-z")
        assert (await store.load_snapshot("counter-z")) is not None
        return loaded.state

    assert asyncio.run(scenario()) == Total("z", 5)


def test_custom_snapshot_policy_is_any_callable() -> None:
    calls: list[tuple[int, int]] = []

    def when_total_is_big(before: int, after: int, state: object) -> bool:
        calls.append((before, after))
        return isinstance(state, Counter) and state.total >= 10

    flow = filled(Counter, snapshots=when_total_is_big, adds=5)
    first = flow.store.load_snapshot("counter-a", max_version=5)
    newest = flow.store.load_snapshot("counter-a")
    assert first is not None
    assert newest is not None
    assert (first.version, newest.version) == (5, 6)  # totals after: 1, 3, 6, 10, 15
    assert calls[:2] == [(0, 1), (1, 2)]


def test_snapshots_are_read_only_with_a_policy_or_on_request() -> None:
    flow = filled(Counter, adds=2)
    flow.store.save_snapshot(
        SnapshotRecord(
            stream_id="counter-a", version=3, type="counter", data='{"name":"x","total":99}'
        )
    )
    assert flow.repository(Counter).load("counter-a").state.total == 3
    reader: Repository[Counter] = Repository(flow.store, Counter, read_snapshots=True)
    assert reader.load("counter-a").state.total == 99


@pytest.mark.parametrize("url", ["memory://", "sqlite:///{tmp}/app.db"])
def test_append_many_writes_several_streams_in_one_transaction(url: str, tmp_path: object) -> None:
    flow = Flow(open_store(url.format(tmp=tmp_path)))
    flow.register(Counter, stream_id=stream)
    repo = flow.repository(Counter)
    repo.append("counter-b", [Opened("b")])
    metadata = {"user": "ada"}
    results = repo.append_many(
        {"counter-a": [Opened("a"), Added(2)], "counter-b": [Added(5)], "counter-c": []},
        preconditions={"counter-a": NO_STREAM, "counter-b": ExpectedVersion(1)},
        metadata=metadata,
    )
    assert [(r.stream_id, r.version, len(r.positions)) for r in results] == [
        ("counter-a", 2, 2),
        ("counter-b", 2, 1),
        ("counter-c", 0, 0),
    ]
    state = repo.load("counter-a").state
    assert (state.name, state.total) == ("a", 2)
    assert [r.metadata for r in repo.history("counter-b")] == [{}, metadata]
    with pytest.raises(ConcurrencyError) as caught:  # one stale precondition: nothing stored
        repo.append_many(
            {"counter-d": [Opened("d")], "counter-b": [Added(1)]},
            preconditions={"counter-b": ExpectedVersion(1)},
        )
    assert caught.value.stream_id == "counter-b"
    assert repo.store.stream_version("counter-d") == 0
    assert repo.store.stream_version("counter-b") == 2


@pytest.mark.parametrize("option", ["causation_id", "correlation_id"])
def test_repository_append_refuses_ids_as_text(option: str) -> None:
    flow = filled(Counter, adds=0)
    repo = flow.repository(Counter)
    with pytest.raises(InvalidArgument, match=option):
        repo.append("counter-a", [Added(1)], **{option: str(uuid.uuid4())})  # type: ignore[arg-type]
    assert flow.store.stream_version("counter-a") == 1


def test_repository_load_refuses_a_stream_id_that_is_not_a_str() -> None:
    repo = filled(Counter, adds=0).repository(Counter)
    with pytest.raises(InvalidStreamId):
        repo.load(uuid.UUID(int=1))  # type: ignore[arg-type]
