"""The fault fixes of issue 11, item 9, on the runner and the projection set.

Written for asyncio here; tools/unasync.py generates the sync test_faults.py from it.

Each check takes a case: a store, a target, the todo projection and a projection whose
handler always fails, written for that target (sync handlers here, coroutine handlers in
tests/integration/read/test_postgres_faults_async.py, which binds PostgreSQL).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from fabula import AsyncFlow
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
from .domain import Create, Created
from .faults import sync_failing


@dataclass
class AsyncCase:
    store: Any
    target: AsyncTarget
    projection: Projection
    failing: Callable[[list[int]], Projection]
    flow: AsyncFlow

    async def dispatch(self, command: object) -> int:
        position = (await self.flow.dispatch(command)).position or 0
        for _ in range(1000):  # until readers see it (PostgreSQL's horizon)
            if await self.store.head() >= position:
                break
            await asyncio.sleep(0.01)
        return position

    def runner(self, projection: Projection, **options: Any) -> AsyncProjectionRunner:
        options.setdefault("policy", ErrorPolicy(backoff=0.0))
        return AsyncProjectionRunner(
            self.store,
            projection,
            target=self.target,
            registry=self.flow.registry,
            poll_interval=0.05,
            **options,
        )


def native_failing(calls: list[int]) -> Projection:
    """A projection that always fails, its handler written like this module (async or not)."""
    failing = Projection("failing")

    @failing.on(Created)
    async def created(tx: Any, event: Any) -> None:
        calls.append(event.position)
        raise RuntimeError(f"cannot handle {event.stream_id}")

    return failing


def make_flow(store: Any) -> AsyncFlow:
    flow = AsyncFlow(store, registry=domain.registry())
    flow.register(domain.Todo, stream_id=domain.stream)
    return flow


@asynccontextmanager
async def local_case(kind: str, tmp_path: Path) -> AsyncIterator[AsyncCase]:
    if kind == "memory":
        store: Any = AsyncMemoryStore()
        target: AsyncTarget = AsyncMemoryTarget()
        projection = domain.todo_dict()
    else:
        store = AsyncSqliteStore(str(tmp_path / "events.db"))
        target = AsyncSqliteTarget(f"sqlite:///{tmp_path / 'read.db'}")
        projection = domain.todo_sql()
    try:
        yield AsyncCase(store, target, projection, sync_failing, make_flow(store))
    finally:
        await target.close()
        await store.close()


async def _until(condition: Callable[[], Awaitable[object]], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.01)


async def check_copy_swap_never_moves_back(case: AsyncCase) -> None:
    for i in range(5):
        await case.dispatch(Create(str(i), f"t{i}"))
    await case.runner(case.projection).run_until_caught_up()
    live_before_swap: list[int] = []
    real = case.target

    class LiveRunsAheadFirst:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        async def swap_in(self, name: str, scratch: Any, /, *, tables: Any, **kw: Any) -> None:
            if not live_before_swap:
                for i in range(5, 8):
                    await case.dispatch(Create(str(i), f"late{i}"))
                status = await case.runner(case.projection).run_until_caught_up()
                live_before_swap.append(status.position)
            await real.swap_in(name, scratch, tables=tables, **kw)

    projections = AsyncProjectionSet(
        case.store,
        cast(AsyncTarget, LiveRunsAheadFirst()),
        consumers=[case.projection],
        registry=case.flow.registry,
    )
    status = await projections.rebuild(case.projection.name, mode="copy")
    [live] = live_before_swap
    assert status.position >= live == await case.store.head()
    assert (await real.checkpoint(case.projection.name)).position >= live


async def check_retries_outlast_the_lease_and_park(case: AsyncCase) -> None:
    calls: list[int] = []
    poison = await case.dispatch(Create("a", "never"))
    runner = case.runner(
        case.failing(calls),
        policy=ErrorPolicy(retries=3, backoff=0.2, max_backoff=1.0),
        lease=LeaseSettings(ttl=0.3, acquire_interval=0.05, owner="only"),
    )
    await runner.start()
    try:
        await _until(lambda: _parked_or_looping(case, calls))
    finally:
        await runner.stop()
    [letter] = await case.target.dead_letters("failing")
    assert (letter.position, letter.attempts) == (poison, 4)
    assert calls == [poison] * 4


async def _parked_or_looping(case: AsyncCase, calls: list[int]) -> bool:
    return bool(await case.target.dead_letters("failing")) or len(calls) > 9


async def check_attempts_survive_a_restart(case: AsyncCase) -> None:
    calls: list[int] = []
    policy = ErrorPolicy(retries=3, backoff=0.05, max_backoff=0.05)
    await case.dispatch(Create("a", "never"))
    first = case.runner(case.failing(calls), policy=policy)
    await first.start()

    async def two_calls() -> bool:
        return len(calls) >= 2

    try:
        await _until(two_calls)
    finally:
        await first.stop()
    with pytest.raises(ProjectionFailed):
        await case.runner(case.failing(calls), policy=policy).run_until_caught_up()
    [letter] = await case.target.dead_letters("failing")
    assert letter.attempts == len(calls) == 4


async def check_wait_caught_up(case: AsyncCase) -> None:
    projections = AsyncProjectionSet(
        case.store,
        case.target,
        consumers=[case.projection],
        registry=case.flow.registry,
        poll_interval=0.05,
    )
    await projections.start()
    try:
        for i in range(3):
            await case.dispatch(Create(str(i), f"t{i}"))
        head = await case.store.head()
        [status] = await projections.wait_caught_up(timeout=10)
        assert status.position >= head
    finally:
        await projections.stop()


CHECKS = [
    check_copy_swap_never_moves_back,
    check_retries_outlast_the_lease_and_park,
    check_attempts_survive_a_restart,
    check_wait_caught_up,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[6:])
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_faults_on_memory_and_sqlite(
    kind: str, check: Callable[[AsyncCase], Awaitable[None]], tmp_path: Path
) -> None:
    async def run() -> None:
        async with local_case(kind, tmp_path) as case:
            await check(case)

    asyncio.run(run())
