"""The asyncio runner: the same engine as the sync one (generated from it); its own seams."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from fabula import AsyncFlow, ConfigurationError, Recorded
from fabula.read import (
    AsyncProjectionRunner,
    AsyncProjectionSet,
    AsyncTarget,
    ErrorPolicy,
    LeaseSettings,
    Projection,
    ProjectionFailed,
)
from fabula.read.memory import AsyncMemoryTarget
from fabula.read.sqlite import AsyncSqliteTarget
from fabula.store.memory import AsyncMemoryStore
from fabula.store.sqlite import AsyncSqliteStore

from . import domain
from .domain import Create, Created, Rename, Todo


def aio(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an ``async def`` test in a fresh event loop (no asyncio plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def _flow(store: Any) -> AsyncFlow:
    flow = AsyncFlow(store, registry=domain.registry())
    flow.register(Todo, stream_id=domain.stream)
    return flow


@pytest.fixture(params=["memory", "sqlite"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, AsyncTarget, Projection]:
    if request.param == "memory":
        return AsyncMemoryStore(), AsyncMemoryTarget(), domain.todo_dict()
    store = AsyncSqliteStore(str(tmp_path / "events.db"))
    return store, AsyncSqliteTarget(f"sqlite:///{tmp_path / 'read.db'}"), domain.todo_sql()


async def _rows(target: AsyncTarget) -> list[tuple[Any, ...]]:
    if isinstance(target, AsyncMemoryTarget):
        return domain.dict_rows(target.model("todo_list"))
    assert isinstance(target, AsyncSqliteTarget)
    return await target.read(domain.sql_rows)


@aio
async def test_catches_up_follows_and_waits(setup: tuple[Any, AsyncTarget, Projection]) -> None:
    store, target, projection = setup
    flow = _flow(store)
    await flow.dispatch(Create("a", "one"))
    runner = AsyncProjectionRunner(
        store, projection, target=target, registry=flow.registry, poll_interval=0.05
    )
    status = await runner.run_until_caught_up()
    assert (status.position, status.lag_events) == (1, 0)
    await runner.start()
    try:
        result = await flow.dispatch(Rename("a", "two"))
        assert await runner.wait_for_position(result.position, timeout=5) == 2
        assert await _rows(target) == [("todo-a", "two", 0, 2)]
    finally:
        await runner.stop()
    await target.close()
    await store.close()


@aio
async def test_poison_stops_the_asyncio_runner(setup: tuple[Any, AsyncTarget, Projection]) -> None:
    store, target, projection = setup
    flow = _flow(store)
    await flow.dispatch(Create("a", "poison"))
    runner = AsyncProjectionRunner(
        store,
        projection,
        target=target,
        registry=flow.registry,
        policy=ErrorPolicy(retries=1, backoff=0.0),
    )
    with pytest.raises(ProjectionFailed):
        await runner.run_until_caught_up()
    with pytest.raises(ProjectionFailed) as waited:
        await runner.wait_for_position(1, timeout=1)
    assert str(waited.value) == "projection 'todo_list' stopped at position 1: Poison: todo-a"
    [letter] = await target.dead_letters()
    assert (letter.stream_id, letter.version, letter.position, letter.attempts) == (
        "todo-a",
        1,
        1,
        2,
    )
    await target.close()
    await store.close()


@aio
async def test_async_handlers_run_on_the_asyncio_memory_target() -> None:
    store, target = AsyncMemoryStore(), AsyncMemoryTarget()
    projection = Projection("titles")

    @projection.on(Created)
    async def created(model: dict[str, Any], event: Recorded[Created]) -> None:
        await asyncio.sleep(0)
        model[event.stream_id] = event.event.title

    flow = _flow(store)
    await flow.dispatch(Create("a", "one"))
    await AsyncProjectionRunner(store, projection, target=target).run_until_caught_up()
    assert target.model("titles") == {"todo-a": "one"}


def test_the_sync_runner_refuses_async_handlers() -> None:
    from fabula.read import ProjectionRunner
    from fabula.read.memory import MemoryTarget
    from fabula.store.memory import MemoryStore

    store = MemoryStore()
    projection = Projection("titles")

    @projection.on(Created)
    async def created(model: dict[str, Any], event: Recorded[Created]) -> None:
        model[event.stream_id] = event.event.title

    domain.make_flow(store).dispatch(Create("a", "one"))
    runner = ProjectionRunner(
        store, projection, target=MemoryTarget(), policy=ErrorPolicy(retries=0)
    )
    with pytest.raises(ProjectionFailed, match="ConfigurationError"):
        runner.run_until_caught_up()


@aio
async def test_lease_handover_between_asyncio_runners(tmp_path: Path) -> None:
    store = AsyncSqliteStore(str(tmp_path / "events.db"))
    target = AsyncSqliteTarget(str(tmp_path / "read.db"))
    flow = _flow(store)
    runners = [
        AsyncProjectionRunner(
            store,
            domain.todo_sql(),
            target=target,
            registry=flow.registry,
            lease=LeaseSettings(ttl=1.0, acquire_interval=0.05, owner=owner),
            poll_interval=0.05,
        )
        for owner in ("one", "two")
    ]
    for runner in runners:
        await runner.start()
    first = await flow.dispatch(Create("a", "x"))
    await _until(lambda: {r.state for r in runners} == {"live", "standby"})
    active = next(r for r in runners if r.state == "live")
    other = next(r for r in runners if r is not active)
    await active.wait_for_position(first.position, timeout=5)
    await active.stop()
    second = await flow.dispatch(Rename("a", "y"))
    await other.wait_for_position(second.position, timeout=5)
    await other.stop()
    assert await target.read(domain.sql_rows) == [("todo-a", "y", 0, 2)]
    await target.close()
    await store.close()


async def _until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met within 5 s")


@aio
async def test_asyncio_projection_set_rebuilds_and_reports(tmp_path: Path) -> None:
    store = AsyncSqliteStore(str(tmp_path / "events.db"))
    projections = AsyncProjectionSet(
        store,
        f"sqlite:///{tmp_path / 'read.db'}",
        consumers=[domain.todo_sql()],
        registry=domain.registry(),
    )
    flow = _flow(store)
    for i in range(3):
        await flow.dispatch(Create(str(i), f"t{i}"))
    await projections.run_until_caught_up()
    status = await projections.rebuild("todo_list", mode="copy")
    assert status.position == 3
    [status] = await projections.status()
    assert (status.state, status.parked) == ("stopped", 0)
    with pytest.raises(ConfigurationError):
        projections.get("nope")
    await projections.close()
    await store.close()
