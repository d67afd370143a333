"""Every order of start, stop, close, cancel and exception, run in a child process.

``python -m tests.unit.read.lifecycle_orders {async|sync} STORE_URL TARGET_URL`` runs each
scenario in turn and prints ``ok <name>`` after it returns; ``test_lifecycle.py`` runs it
with a timeout, so a hang fails that test (naming the scenario) instead of the suite.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from fabula.read import (
    AsyncProjectionRunner,
    AsyncProjectionSet,
    Projection,
    ProjectionRunner,
    ProjectionSet,
    open_async_target,
    open_target,
)
from fabula.store import open_async_store, open_store

PROJECTION = Projection("lifecycle")


class Boom(Exception):
    """Raised by a scenario on purpose."""


async def start_raise(store_url: str, target_url: str) -> None:
    store, target = open_async_store(store_url), open_async_target(target_url)
    await AsyncProjectionRunner(store, PROJECTION, target=target).start()
    await asyncio.sleep(0)
    raise Boom


async def start_return(store_url: str, target_url: str) -> None:
    store, target = open_async_store(store_url), open_async_target(target_url)
    await AsyncProjectionRunner(store, PROJECTION, target=target).start()
    await asyncio.sleep(0.1)  # then return, closing nothing


async def concurrent_stops(store_url: str, target_url: str) -> None:
    async with open_async_store(store_url) as store, open_async_target(target_url) as target:
        runner = AsyncProjectionRunner(store, PROJECTION, target=target)
        await runner.start()
        await asyncio.gather(runner.stop(), runner.stop(), runner.stop())


async def start_then_cancelled(store_url: str, target_url: str) -> None:
    async def work() -> None:
        store, target = open_async_store(store_url), open_async_target(target_url)
        await AsyncProjectionRunner(store, PROJECTION, target=target).start()
        await asyncio.sleep(3600)

    task = asyncio.create_task(work())
    await asyncio.sleep(0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def stop_before_start(store_url: str, target_url: str) -> None:
    async with open_async_store(store_url) as store, open_async_target(target_url) as target:
        runner = AsyncProjectionRunner(store, PROJECTION, target=target)
        await runner.stop()
        await runner.start()
        await runner.start()  # already running: nothing happens
        await runner.stop()
        await runner.stop()


async def close_store_before_stop(store_url: str, target_url: str) -> None:
    store, target = open_async_store(store_url), open_async_target(target_url)
    runner = AsyncProjectionRunner(store, PROJECTION, target=target)
    await runner.start()
    await asyncio.sleep(0.2)
    await store.close()
    await runner.stop()
    await target.close()


async def close_target_before_stop(store_url: str, target_url: str) -> None:
    store, target = open_async_store(store_url), open_async_target(target_url)
    runner = AsyncProjectionRunner(store, PROJECTION, target=target)
    await runner.start()
    await asyncio.sleep(0.2)
    await target.close()
    await runner.stop()
    await store.close()


async def cancelled_stop(store_url: str, target_url: str) -> None:
    async with open_async_store(store_url) as store, open_async_target(target_url) as target:
        runner = AsyncProjectionRunner(store, PROJECTION, target=target)
        await runner.start()
        stopping = asyncio.create_task(runner.stop())
        await asyncio.sleep(0)
        stopping.cancel()
        await asyncio.gather(stopping, return_exceptions=True)
        await runner.stop()
        assert runner.state in ("stopped", "idle"), runner.state


async def context_managers_raise(store_url: str, target_url: str) -> None:
    async with (
        open_async_store(store_url) as store,
        open_async_target(target_url) as target,
        AsyncProjectionRunner(store, PROJECTION, target=target) as runner,
    ):
        await runner.start()
        await asyncio.sleep(0.1)
        raise Boom


async def set_raise(store_url: str, target_url: str) -> None:
    async with AsyncProjectionSet(store_url, target_url, consumers=[PROJECTION]) as projections:
        await projections.start()
        await asyncio.sleep(0)
        raise Boom


def sync_start_raise(store_url: str, target_url: str) -> None:
    store, target = open_store(store_url), open_target(target_url)
    ProjectionRunner(store, PROJECTION, target=target).start()
    raise Boom


def sync_orders(store_url: str, target_url: str) -> None:
    with open_store(store_url) as store, open_target(target_url) as target:
        runner = ProjectionRunner(store, PROJECTION, target=target)
        runner.stop()
        runner.start()
        runner.start()
        runner.stop()
        runner.stop()
    store, target = open_store(store_url), open_target(target_url)
    runner = ProjectionRunner(store, PROJECTION, target=target)
    runner.start()
    store.close()
    runner.stop()
    target.close()


def sync_context_managers_raise(store_url: str, target_url: str) -> None:
    with (
        open_store(store_url) as store,
        open_target(target_url) as target,
        ProjectionRunner(store, PROJECTION, target=target) as runner,
    ):
        runner.start()
        raise Boom


def sync_set_raise(store_url: str, target_url: str) -> None:
    with ProjectionSet(store_url, target_url, consumers=[PROJECTION]) as projections:
        projections.start()
        raise Boom


ASYNC: list[Callable[[str, str], Awaitable[None]]] = [
    start_raise,
    start_return,
    concurrent_stops,
    start_then_cancelled,
    stop_before_start,
    close_store_before_stop,
    close_target_before_stop,
    cancelled_stop,
    context_managers_raise,
    set_raise,
]
SYNC: list[Callable[[str, str], None]] = [
    sync_start_raise,
    sync_orders,
    sync_context_managers_raise,
    sync_set_raise,
]


def main(kind: str, store_url: str, target_url: str) -> None:
    """Run every scenario of ``kind``; print ``ok <name>`` after each one returns."""
    scenarios: list[Callable[[str, str], object]] = list(ASYNC if kind == "async" else SYNC)
    for scenario in scenarios:
        print("start", scenario.__name__, flush=True)
        try:
            if kind == "async":
                asyncio.run(scenario(store_url, target_url))  # type: ignore[arg-type]
            else:
                scenario(store_url, target_url)
        except Boom:
            pass
        print("ok", scenario.__name__, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
