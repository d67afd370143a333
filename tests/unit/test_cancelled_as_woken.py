"""A wait cancelled in the loop turn it is woken is cancelled (not lost as by 3.11 wait_for).

Through ``asyncio.wait_for`` on Python 3.11, a wait woken and cancelled in the same loop
turn returned as woken, and its cancellation was lost. The store's notifier is tested in
tests/unit/store/test_waiters.py; these are the two other waits on an ``asyncio.Event``.
"""

from __future__ import annotations

import asyncio

import pytest

from fabula.integration import MemoryBroker
from fabula.read.running._tasks import AsyncBackground


def test_a_background_sleep_cancelled_as_a_stop_wakes_it_is_cancelled() -> None:
    background = AsyncBackground()

    async def scenario() -> None:
        sleeping = asyncio.ensure_future(background.sleep(60))
        await asyncio.sleep(0)
        background.request_stop()  # wakes it in the next loop turn...
        sleeping.cancel()  # ...the turn its cancellation arrives in
        with pytest.raises(asyncio.CancelledError):
            await sleeping

    asyncio.run(scenario())


def test_a_memory_broker_wait_cancelled_as_a_message_arrives_is_cancelled() -> None:
    broker = MemoryBroker()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(broker._wait(60))
        await asyncio.sleep(0)
        broker._arrived.set()  # what a publish does
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    asyncio.run(scenario())
