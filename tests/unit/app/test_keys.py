"""``register(model, key=...)`` names streams ``<aggregate name>-<key>``; ``load(model, key)``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fabula import (
    Aggregate,
    AsyncFlow,
    ConfigurationError,
    Decider,
    Flow,
    InvalidArgument,
    decides,
    open_async_store,
    open_store,
)

from .domain import Add, Counter, Open, Opened, functional_counter

MODELS: list[Any] = [Counter, functional_counter]


@pytest.mark.parametrize("model", MODELS, ids=["class", "functional"])
def test_key_derives_the_stream_id_from_the_aggregate_name(model: Any) -> None:
    flow = Flow(open_store("memory://"))
    flow.register(model, key=lambda c: c.counter_id)
    result = flow.dispatch(Open("a", "apples"))
    flow.dispatch(Add("a", 2))
    stream_id = f"{flow.repository(model).decider.name}-a"  # counter-a, fcounter-a
    assert result.stream_id == stream_id
    loaded = flow.load(model, "a")
    assert (loaded.stream_id, loaded.version, loaded.state.total) == (stream_id, 2, 2)
    assert flow.load(model, "a", as_of_version=1).state.total == 0
    assert [r.type for r in flow.store.read_stream(stream_id)] == [
        "counter_opened",
        "counter_added",
    ]


def test_asyncio_flow_keys_and_loads_the_same_way() -> None:
    async def main() -> tuple[str, int]:
        flow = AsyncFlow(open_async_store("memory://"))
        flow.register(Counter, key=lambda c: c.counter_id)
        result = await flow.dispatch(Open("b", "pears"))
        loaded = await flow.load(Counter, "b")
        return result.stream_id, loaded.version

    assert asyncio.run(main()) == ("counter-b", 1)


def test_register_wants_exactly_one_of_key_and_stream_id() -> None:
    flow = Flow(open_store("memory://"))
    with pytest.raises(ConfigurationError, match="one of key= or stream_id="):
        flow.register(Counter)
    with pytest.raises(ConfigurationError, match="one of key= or stream_id="):
        flow.register(Counter, key=lambda c: c.counter_id, stream_id=lambda c: "x")


@pytest.mark.parametrize("name", ["to-do", "to/do", "to do"])
def test_a_name_that_would_break_the_stream_category_is_refused_with_key(name: str) -> None:
    renamed = Decider(
        name=name,
        initial_state=functional_counter.initial_state,
        decide=functional_counter.decide,
        evolve=functional_counter.evolve,
        commands=functional_counter.commands,
        events=functional_counter.events,
    )
    flow = Flow(open_store("memory://"))
    with pytest.raises(ConfigurationError, match="cannot prefix stream ids"):
        flow.register(renamed, key=lambda c: c.counter_id)
    flow.register(renamed, stream_id=lambda c: f"{name}:{c.counter_id}")  # spelled by hand


@pytest.mark.parametrize("key", ["", 42, None])
def test_a_key_that_is_not_a_non_empty_str_is_refused(key: Any) -> None:
    flow = Flow(open_store("memory://"))
    flow.register(Counter, key=lambda c: key)
    with pytest.raises(InvalidArgument):
        flow.dispatch(Open("a", "x"))
    with pytest.raises(InvalidArgument):
        flow.load(Counter, key)
    assert flow.store.list_streams() == []


def test_load_of_an_unregistered_aggregate_is_a_configuration_error() -> None:
    class Other(Aggregate, name="other"):
        @decides
        def open(self, command: Open) -> list[Opened]:
            return [Opened(command.name)]

    flow = Flow(open_store("memory://"))
    with pytest.raises(ConfigurationError, match="not registered"):
        flow.load(Other, "a")


def test_an_aggregate_registers_once() -> None:
    flow = Flow(open_store("memory://"))
    flow.register(Counter, key=lambda c: c.counter_id)
    with pytest.raises(ConfigurationError, match="already registered"):
        flow.register(Counter, key=lambda c: c.counter_id)
