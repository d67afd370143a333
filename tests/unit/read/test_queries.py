from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from fabula import ConfigurationError
from fabula.read import (
    AsyncProjectionRunner,
    AsyncQueryBus,
    PositionTimeout,
    ProjectionRunner,
    Query,
    QueryBus,
    UnknownQuery,
)
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.store.memory import AsyncMemoryStore, MemoryStore

from . import domain
from .domain import Create, Rename


@dataclass(frozen=True)
class GetTitle(Query[str | None]):
    todo_id: str


@dataclass(frozen=True)
class CountTodos:
    pass


def test_routes_by_query_class_and_reads_your_writes() -> None:
    store, target = MemoryStore(), MemoryTarget()
    runner = ProjectionRunner(store, domain.todo_dict(), target=target, poll_interval=0.05)
    bus = QueryBus()

    @bus.handler(GetTitle, consistency=runner)
    def get_title(query: GetTitle) -> str | None:
        row = target.model("todo_list").get(f"todo-{query.todo_id}")
        return None if row is None else str(row["title"])

    bus.register(CountTodos, lambda query: len(target.model("todo_list")))
    flow = domain.make_flow(store)
    runner.start()
    try:
        for i in range(20):
            result = flow.dispatch(Create(str(i), "first"))
            result = flow.dispatch(Rename(str(i), f"renamed {i}"))
            title: str | None = bus.ask(GetTitle(str(i)), after=result.position, timeout=5)
            assert title == f"renamed {i}"
    finally:
        runner.stop()
    assert bus.ask(CountTodos()) == 20
    assert bus.ask(GetTitle("nope")) is None


def test_unknown_queries_missing_consistency_and_timeouts() -> None:
    store = MemoryStore()
    bus = QueryBus()
    with pytest.raises(UnknownQuery):
        bus.ask(GetTitle("1"))
    bus.register(CountTodos, lambda query: 0)
    with pytest.raises(ConfigurationError, match="consistency"):
        bus.ask(CountTodos(), after=1)
    with pytest.raises(ConfigurationError, match="already has a handler"):
        bus.register(CountTodos, lambda query: 1)
    runner = ProjectionRunner(store, domain.todo_dict(), target=MemoryTarget())
    bus.register(GetTitle, lambda query: None, consistency=runner)
    with pytest.raises(PositionTimeout):
        bus.ask(GetTitle("1"), after=5, timeout=0.05)


def test_asyncio_bus_takes_sync_and_async_handlers() -> None:
    async def scenario() -> list[Any]:
        store, target = AsyncMemoryStore(), AsyncMemoryTarget()
        runner = AsyncProjectionRunner(store, domain.todo_dict(), target=target, poll_interval=0.05)
        bus = AsyncQueryBus()

        async def get_title(query: GetTitle) -> str | None:
            await asyncio.sleep(0)
            row = target.model("todo_list").get(f"todo-{query.todo_id}")
            return None if row is None else str(row["title"])

        bus.register(GetTitle, get_title, consistency=runner)
        bus.register(CountTodos, lambda query: len(target.model("todo_list")))
        await runner.start()
        from fabula import AsyncFlow

        flow = AsyncFlow(store, registry=domain.registry())
        flow.register(domain.Todo, stream_id=domain.stream)
        result = await flow.dispatch(Create("a", "hello"))
        answers = [await bus.ask(GetTitle("a"), after=result.position), await bus.ask(CountTodos())]
        await runner.stop()
        return answers

    assert asyncio.run(scenario()) == ["hello", 1]


def test_the_sync_bus_refuses_async_handlers() -> None:
    bus = QueryBus()

    async def handler(query: CountTodos) -> int:
        return 1

    bus.register(CountTodos, handler)
    with pytest.raises(ConfigurationError, match="asynchronous"):
        bus.ask(CountTodos())
