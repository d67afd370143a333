"""A runner built from the flow reads its store with its registry: one registry per app."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fabula import AsyncFlow, ConfigurationError, EventRegistry, Flow, Recorded, event
from fabula.read import (
    AsyncInlineProjection,
    AsyncProjectionRunner,
    AsyncProjectionSet,
    InlineProjection,
    Projection,
    ProjectionRunner,
    ProjectionSet,
)
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.store import NewEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore


@event("flow_runner_titled", version=2)
@dataclass(frozen=True)
class Titled:
    title: str


OLD = NewEvent(event_id=uuid.uuid4(), type="flow_runner_titled", data='{"name":"a"}')


def titles(seen: list[str]) -> Projection:
    projection = Projection("titles")

    @projection.on(Titled)
    def titled(tx: Any, recorded: Recorded[Titled]) -> None:
        seen.append(recorded.event.title)

    return projection


def upcast(registry: EventRegistry) -> None:
    registry.upcaster("flow_runner_titled", from_version=1)(lambda old: {"title": old["name"]})


def test_a_runner_from_the_flow_has_the_flows_upcasters() -> None:
    flow = Flow(MemoryStore())
    upcast(flow.registry)
    flow.store.append("doc-1", [OLD])
    seen: list[str] = []
    runner = ProjectionRunner(flow, titles(seen), target=MemoryTarget())
    runner.run_until_caught_up()
    assert seen == ["a"]


def test_an_asyncio_runner_from_the_flow_has_the_flows_upcasters() -> None:
    seen: list[str] = []

    async def main() -> None:
        flow = AsyncFlow(AsyncMemoryStore())
        upcast(flow.registry)
        await flow.store.append("doc-1", [OLD])
        runner = AsyncProjectionRunner(flow, titles(seen), target=AsyncMemoryTarget())
        await runner.run_until_caught_up()

    asyncio.run(main())
    assert seen == ["a"]


def test_a_second_registry_beside_the_flow_is_refused() -> None:
    flow = Flow(MemoryStore())
    with pytest.raises(ConfigurationError, match="one event registry per application"):
        ProjectionRunner(flow, titles([]), target=MemoryTarget(), registry=EventRegistry())
    ProjectionRunner(flow, titles([]), target=MemoryTarget(), registry=flow.registry)


def test_a_set_from_the_flow_has_the_flows_upcasters() -> None:
    flow = Flow(MemoryStore())
    upcast(flow.registry)
    flow.store.append("doc-1", [OLD])
    seen: list[str] = []
    with ProjectionSet(flow, MemoryTarget(), consumers=[titles(seen)]) as projections:
        assert projections.registry is flow.registry
        projections.run_until_caught_up()
    assert seen == ["a"]
    with pytest.raises(ConfigurationError, match="one event registry per application"):
        ProjectionSet(flow, MemoryTarget(), consumers=[], registry=EventRegistry())


def test_an_asyncio_set_from_the_flow_has_the_flows_upcasters() -> None:
    seen: list[str] = []

    async def main() -> None:
        flow = AsyncFlow(AsyncMemoryStore())
        upcast(flow.registry)
        await flow.store.append("doc-1", [OLD])
        async with AsyncProjectionSet(
            flow, AsyncMemoryTarget(), consumers=[titles(seen)]
        ) as projections:
            await projections.run_until_caught_up()

    asyncio.run(main())
    assert seen == ["a"]


def test_an_inline_projection_from_the_flow_has_the_flows_upcasters(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "inline.db")
    flow = Flow(store)
    upcast(flow.registry)
    store.append("doc-1", [OLD])
    seen: list[str] = []
    inline = InlineProjection(flow, titles(seen))
    assert inline.registry is flow.registry
    inline.attach()  # catches up with the stored event, through the flow's upcaster
    assert seen == ["a"]
    with pytest.raises(ConfigurationError, match="one event registry per application"):
        InlineProjection(flow, titles([]), registry=EventRegistry())
    store.close()


def test_an_asyncio_inline_projection_from_the_flow_has_the_flows_upcasters(
    tmp_path: Path,
) -> None:
    seen: list[str] = []

    async def main() -> None:
        store = AsyncSqliteStore(tmp_path / "inline.db")
        flow = AsyncFlow(store)
        upcast(flow.registry)
        await store.append("doc-1", [OLD])
        await AsyncInlineProjection(flow, titles(seen)).attach()
        await store.close()

    asyncio.run(main())
    assert seen == ["a"]
