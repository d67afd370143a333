"""Input the codec cannot write back is refused at dispatch: nothing is written, on every backend.

Each scenario runs on memory, SQLite and PostgreSQL, sync and asyncio: a refused command
raises one typed error, leaves the stream's version and the log's head as they were,
and the stream stays loadable (a later command succeeds).
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from typing import Any

import pytest

from fabula import (
    Aggregate,
    AsyncEventStore,
    AsyncFlow,
    CodecError,
    EventStore,
    Flow,
    InvalidMetadata,
    SnapshotEvery,
    decides,
    event,
    evolves,
)
from fabula.app import AsyncEnrichMetadata, EnrichMetadata
from fabula.codec import MAX_DEPTH
from fabula.store import SnapshotRecord
from fabula.store.memory import MemoryStore


@event("probe_measured")
@dataclass(frozen=True)
class Measured:
    value: float


@event("probe_shaped")
@dataclass(frozen=True)
class Shaped:
    tree: Any


@dataclass(frozen=True)
class Measure:
    probe: str
    value: float


@dataclass(frozen=True)
class Shape:
    probe: str
    tree: Any


class Probe(Aggregate, name="probe"):
    # -inf until the first measure: a state JSON cannot hold, so no snapshot of it.
    peak: float = -math.inf
    count: int = 0
    tree: Any = None

    @decides
    def measure(self, command: Measure) -> list[Measured]:
        return [Measured(command.value)]

    @decides
    def shape(self, command: Shape) -> list[Shaped]:
        return [Shaped(command.tree)]

    @evolves
    def measured(self, event: Measured) -> None:
        self.peak = max(self.peak, event.value)
        self.count += 1

    @evolves
    def shaped(self, event: Shaped) -> None:
        self.count += 1
        self.tree = event.tree


def stream(command: Measure | Shape) -> str:
    return f"probe-{command.probe}"


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


OK = Measure("p", 1.0)
# (what, command, dispatch options, the error it gets)
REFUSED: list[tuple[str, object, dict[str, Any], type[CodecError]]] = [
    ("NaN in the event", Measure("p", math.nan), {}, CodecError),
    ("Infinity in the event", Measure("p", math.inf), {}, CodecError),
    ("-Infinity, new stream", Measure("new", -math.inf), {}, CodecError),
    ("event past MAX_DEPTH", Shape("p", nested(MAX_DEPTH + 1)), {}, CodecError),
    ("event 5000 deep", Shape("p", nested(5000)), {}, CodecError),
    ("metadata a list", OK, {"metadata": [("user", "ana")]}, InvalidMetadata),
    ("metadata a str", OK, {"metadata": "user=ana"}, InvalidMetadata),
    ("metadata NaN", OK, {"metadata": {"load": math.nan}}, CodecError),
    ("metadata an object", OK, {"metadata": {"who": object()}}, CodecError),
    ("metadata an int key", OK, {"metadata": {1: "ana"}}, CodecError),
    ("metadata 5000 deep", OK, {"metadata": {"t": nested(5000)}}, CodecError),
]


def assert_head_unmoved(now: int, before: int, last: int, *, settled: bool) -> None:
    """The log's head is where it was; on PostgreSQL, whose head hides positions while
    any older transaction on the (shared) server is open, at least not past ``last``."""
    if settled:
        assert now == before
    else:
        assert now <= last


def test_refused_commands_write_nothing(fabula_store: EventStore) -> None:
    flow = Flow(fabula_store)
    flow.register(Probe, stream_id=stream)
    first = flow.dispatch(Measure("p", 2.0))
    last = first.position or 0
    settled = fabula_store.wait_for_events(last - 1, timeout=30)
    head = fabula_store.head()
    for what, command, options, error in REFUSED:
        with pytest.raises(CodecError) as caught:
            flow.dispatch(command, **options)
        assert type(caught.value) is error, what
    assert fabula_store.stream_version("probe-p") == 1
    assert fabula_store.stream_version("probe-new") == 0
    assert_head_unmoved(fabula_store.head(), head, last, settled=settled)
    assert [s.stream_id for s in fabula_store.list_streams()] == ["probe-p"]
    assert flow.repository(Probe).load("probe-p").state.peak == 2.0
    assert flow.dispatch(Measure("p", 3.0), metadata={"user": "ana"}).version == 2


def test_refused_commands_write_nothing_async(fabula_async_store: AsyncEventStore) -> None:
    async def scenario() -> None:
        store = fabula_async_store
        try:
            flow = AsyncFlow(store)
            flow.register(Probe, stream_id=stream)
            first = await flow.dispatch(Measure("p", 2.0))
            last = first.position or 0
            settled = await store.wait_for_events(last - 1, timeout=30)
            head = await store.head()
            for what, command, options, error in REFUSED:
                with pytest.raises(CodecError) as caught:
                    await flow.dispatch(command, **options)
                assert type(caught.value) is error, what
            assert await store.stream_version("probe-p") == 1
            assert await store.stream_version("probe-new") == 0
            assert_head_unmoved(await store.head(), head, last, settled=settled)
            assert [s.stream_id for s in await store.list_streams()] == ["probe-p"]
            loaded = await flow.repository(Probe).load("probe-p")
            assert loaded.state.peak == 2.0
            result = await flow.dispatch(Measure("p", 3.0), metadata={"user": "ana"})
            assert result.version == 2
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_state_json_cannot_hold_is_not_snapshotted(
    fabula_store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    flow = Flow(fabula_store)
    repository = flow.register(Probe, stream_id=stream, snapshots=SnapshotEvery(1))
    with caplog.at_level(logging.ERROR, logger="fabula.repository"):
        assert flow.dispatch(Shape("s", [1])).version == 1  # the events are committed
    assert "snapshot of probe-s at version 1 failed" in caplog.text
    assert "non-finite float" in caplog.text
    assert fabula_store.load_snapshot("probe-s") is None
    with pytest.raises(CodecError, match=r"\$\.peak is a non-finite float"):
        repository.save_snapshot("probe-s")
    assert fabula_store.load_snapshot("probe-s") is None
    assert repository.load("probe-s").version == 1
    flow.dispatch(Measure("s", 1.0))
    snapshot = fabula_store.load_snapshot("probe-s")
    assert snapshot is not None
    assert snapshot.version == 2


def test_a_state_json_cannot_hold_is_not_snapshotted_async(
    fabula_async_store: AsyncEventStore,
) -> None:
    async def scenario() -> None:
        store = fabula_async_store
        try:
            flow = AsyncFlow(store)
            repository = flow.register(Probe, stream_id=stream, snapshots=SnapshotEvery(1))
            assert (await flow.dispatch(Shape("s", [1]))).version == 1
            assert await store.load_snapshot("probe-s") is None
            with pytest.raises(CodecError, match=r"\$\.peak is a non-finite float"):
                await repository.save_snapshot("probe-s")
            assert await store.load_snapshot("probe-s") is None
            assert (await repository.load("probe-s")).version == 1
            await flow.dispatch(Measure("s", 1.0))
            snapshot = await store.load_snapshot("probe-s")
            assert snapshot is not None
            assert snapshot.version == 2
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_stored_snapshot_nested_too_deep_is_ignored(fabula_memory_store: MemoryStore) -> None:
    # Written by another tool: the stores refuse such text (save_snapshot checks it).
    flow = Flow(fabula_memory_store)
    repository = flow.register(Probe, stream_id=stream, snapshots=SnapshotEvery(100))
    flow.dispatch(Shape("d", [1]))
    deep = '{"peak": 1.0, "count": 1, "tree": ' + "[" * 100_000 + "]" * 100_000 + "}"
    record = SnapshotRecord(stream_id="probe-d", version=1, type="probe", data=deep)
    fabula_memory_store._log.save_snapshot(record)
    loaded = repository.load("probe-d")
    assert loaded.snapshot_version is None
    assert (loaded.version, loaded.state.tree) == (1, [1])


def test_enrich_metadata_that_returns_no_mapping_is_invalid_metadata(
    fabula_memory_store: EventStore,
) -> None:
    flow = Flow(fabula_memory_store, middleware=[EnrichMetadata(lambda _: ["user"])])  # type: ignore[arg-type, return-value]
    flow.register(Probe, stream_id=stream)
    with pytest.raises(InvalidMetadata):
        flow.dispatch(OK)
    assert fabula_memory_store.head() == 0


def test_enrich_metadata_that_returns_no_mapping_is_invalid_metadata_async(
    fabula_async_memory_store: AsyncEventStore,
) -> None:
    flow = AsyncFlow(fabula_async_memory_store, middleware=[AsyncEnrichMetadata(lambda _: 7)])  # type: ignore[arg-type, return-value]
    flow.register(Probe, stream_id=stream)
    with pytest.raises(InvalidMetadata):
        asyncio.run(flow.dispatch(OK))
    assert asyncio.run(fabula_async_memory_store.head()) == 0
