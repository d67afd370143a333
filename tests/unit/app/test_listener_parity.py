"""Sync and asyncio flows treat an ``async def`` listener the same way: never dropped."""

from __future__ import annotations

import asyncio

import pytest

from fabula import AsyncFlow, ConfigurationError, Flow, Recorded, open_async_store, open_store

from .domain import Counter, Open, Opened, stream


def test_asyncio_flow_awaits_an_async_listener() -> None:
    seen: list[str] = []

    async def listener(recorded: Recorded[object]) -> None:
        await asyncio.sleep(0)
        seen.append(recorded.stream_id)

    async def main() -> None:
        flow = AsyncFlow(open_async_store("memory://"))
        flow.register(Counter, stream_id=stream)
        flow.listen(Opened, listener)
        result = await flow.dispatch(Open("a", "x"))
        assert result.listener_errors == ()

    asyncio.run(main())
    assert seen == ["counter-a"]


def test_asyncio_flow_still_calls_a_sync_listener() -> None:
    seen: list[int] = []

    async def main() -> None:
        flow = AsyncFlow(open_async_store("memory://"))
        flow.register(Counter, stream_id=stream)
        flow.listen(Opened, lambda r: seen.append(r.version))
        await flow.dispatch(Open("a", "x"))

    asyncio.run(main())
    assert seen == [1]


def test_sync_flow_refuses_an_async_listener_at_registration() -> None:
    async def listener(recorded: Recorded[object]) -> None:
        del recorded

    class Callback:
        async def __call__(self, recorded: Recorded[object]) -> None:
            del recorded

    flow = Flow(open_store("memory://"))
    flow.register(Counter, stream_id=stream)
    for wrong in (listener, Callback()):
        with pytest.raises(ConfigurationError, match="coroutine function"):
            flow.listen(Opened, wrong)


def test_sync_flow_reports_a_listener_returning_a_coroutine() -> None:
    async def later() -> None:
        pass

    flow = Flow(open_store("memory://"))
    flow.register(Counter, stream_id=stream)
    flow.listen(Opened, lambda r: later())
    result = flow.dispatch(Open("a", "x"))
    assert [type(e) for e in result.listener_errors] == [ConfigurationError]
    assert flow.store.stream_version("counter-a") == 1
