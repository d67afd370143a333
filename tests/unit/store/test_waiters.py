"""Waiting for events leaves nothing behind: a timed-out or cancelled wait takes its future back.

An idle follower waits again and again; before the fix each timed-out wait left a future
in the store's notifier for good (about 20 a second for an idle SQLite subscription), and
the next append scheduled a callback for each.

A wait cancelled in the loop turn it is woken is cancelled too: through
``asyncio.wait_for`` (Python 3.11) it returned as woken instead, and ``wait_for_events``
waited on, to its timeout; under load the PostgreSQL wake-up thread's notification met
a mass cancellation often enough to hang the test below past its pytest timeout.
"""

from __future__ import annotations

import asyncio
import gc

import pytest

from fabula.store import AsyncEventStore
from fabula.store._notify import Notifier

WAITS = 10_000
CHUNK = 1_000  # waits at once: few enough that each reaches its notifier before timing out


def _waiters() -> int:
    """Count the asyncio waiters held by every notifier alive (the stores' included)."""
    return sum(item.waiters for item in gc.get_objects() if isinstance(item, Notifier))


def test_timed_out_and_cancelled_waits_leave_no_waiter() -> None:
    notifier = Notifier()

    async def scenario() -> None:
        since = notifier.generation
        results = await asyncio.gather(*(notifier.async_wait(since, 0.01) for _ in range(WAITS)))
        assert not any(results)
        assert notifier.waiters == 0
        task = asyncio.ensure_future(notifier.async_wait(since, 60))
        await asyncio.sleep(0)
        assert notifier.waiters == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert notifier.waiters == 0

    asyncio.run(scenario())


def test_a_woken_wait_leaves_no_waiter() -> None:
    notifier = Notifier()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(notifier.async_wait(notifier.generation, 60))
        await asyncio.sleep(0)
        notifier.notify()
        assert await waiting
        assert notifier.waiters == 0

    asyncio.run(scenario())


def test_a_wait_cancelled_as_it_is_woken_is_cancelled() -> None:
    notifier = Notifier()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(notifier.async_wait(notifier.generation, 60))
        await asyncio.sleep(0)
        notifier.notify()  # wakes it in the next loop turn...
        waiting.cancel()  # ...the turn its cancellation arrives in
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert notifier.waiters == 0

    asyncio.run(scenario())


def test_wait_for_events_cancelled_as_it_is_woken_is_cancelled(
    fabula_async_store: AsyncEventStore,
) -> None:
    store = fabula_async_store

    async def scenario() -> None:
        async with store:
            head = await store.head()
            # PostgreSQL: its wake-up thread notifies once, when it starts listening; let
            # that pass first, so that only this test's notification meets the cancellation.
            wakeups = getattr(store, "_wakeups", None)
            if wakeups is not None:
                await store.wait_for_events(head, timeout=0.01)
                for _ in range(1000):
                    if wakeups.listening.is_set():
                        break
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.1)
            waiting = asyncio.create_task(store.wait_for_events(head, timeout=600))
            notifiers: list[Notifier] = []
            for _ in range(1000):  # until it waits in its store's notifier
                notifiers = [item for item in gc.get_objects() if isinstance(item, Notifier)]
                if any(item.waiters for item in notifiers):
                    break
                await asyncio.sleep(0.01)
            for notifier in notifiers:
                notifier.notify()
            waiting.cancel()
            # A watchdog, not a timing claim: a lost cancellation waits out its 600 s.
            await asyncio.wait([waiting], timeout=60)
            assert waiting.cancelled()

    asyncio.run(scenario())


def test_timed_out_waits_for_events_leave_nothing_behind(
    fabula_async_store: AsyncEventStore,
) -> None:
    store = fabula_async_store

    async def scenario() -> int:
        async with store:
            head = await store.head()
            for _ in range(WAITS // CHUNK):
                waits = (store.wait_for_events(head, timeout=0.3) for _ in range(CHUNK))
                assert not any(await asyncio.gather(*waits))
            return _waiters()

    assert asyncio.run(scenario()) == 0


def test_cancelled_waits_for_events_leave_nothing_behind(
    fabula_async_store: AsyncEventStore,
) -> None:
    store = fabula_async_store

    async def scenario() -> None:
        async with store:
            head = await store.head()
            # Found once: scanning every object each 10 ms took seconds in a loaded, full run.
            notifiers = [item for item in gc.get_objects() if isinstance(item, Notifier)]
            waits = [
                asyncio.create_task(store.wait_for_events(head, timeout=600)) for _ in range(100)
            ]
            for _ in range(1000):  # until every one waits (their head() queries take turns)
                if sum(item.waiters for item in notifiers) >= 100:
                    break
                await asyncio.sleep(0.01)
            some = waits[:50]  # and some cancelled at once, in head() or in the notifier
            more = [
                asyncio.create_task(store.wait_for_events(head, timeout=600)) for _ in range(50)
            ]
            await asyncio.sleep(0)
            for task in [*some, *more]:
                task.cancel()
            for task in waits[50:]:
                task.cancel()
            # A watchdog, not a timing claim: a swallowed cancellation waits out its 600 s.
            # asyncio.wait, not wait_for: on timeout it cancels nothing, so a task that
            # swallows cancellations fails the test rather than hang it.
            await asyncio.wait([*waits, *more], timeout=120)
            assert all(task.cancelled() for task in [*waits, *more])
            assert _waiters() == 0

    asyncio.run(scenario())


def test_a_cancelled_postgres_statement_is_cancelled(postgres_schema_url: str) -> None:
    """psycopg_pool swallows some cancellations; the store raises them again."""
    from fabula.store.postgres import AsyncPostgresStore

    async def scenario() -> list[str]:
        lost = []
        async with AsyncPostgresStore.from_url(postgres_schema_url) as store:
            for delay in (0, 0.001, 0.002, 0.005, 0.01, 0.02):
                tasks = [asyncio.create_task(store.head()) for _ in range(100)]
                await asyncio.sleep(delay)
                asked = [task for task in tasks if task.cancel()]
                await asyncio.gather(*tasks, return_exceptions=True)
                lost += [f"after {delay} s" for task in asked if not task.cancelled()]
        return lost

    assert asyncio.run(scenario()) == []
