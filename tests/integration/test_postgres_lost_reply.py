"""A reply lost after commit: the store's retry is not a re-append (``_in_doubt.py``).

A TCP relay between the store and PostgreSQL lets the append commit, then drops the
connection before the reply arrives. The store's retry finds its own events: the append
is still a first-time one (``deduplicated=False``), so followers are woken and the
flow's after-commit listeners run, exactly once. A caller's re-append stays deduplicated.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from fabula import AsyncFlow, Flow
from fabula.store import AppendResult, NewEvent, StreamAppend
from fabula.store.postgres import AsyncPostgresStore, PostgresStore
from tests.unit.app.domain import Counter, Open, Opened, stream

from ._relay import Relay

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


@pytest.fixture
def relayed(postgres_schema_url: str) -> Iterator[tuple[Relay, str]]:
    relay, url = Relay.to(postgres_schema_url)
    yield relay, url
    relay.close()


def _marked(count: int = 1) -> tuple[bytes, list[NewEvent]]:
    marker = f"lost-{uuid.uuid4().hex}"
    events = [
        NewEvent(event_id=uuid.uuid4(), type="Marked", data=f'{{"marker": "{marker}", "n": {n}}}')
        for n in range(count)
    ]
    return marker.encode(), events


@pytest.mark.parametrize("hooked", [False, True], ids=["plain", "hooked"])
def test_an_append_whose_reply_was_lost_is_not_deduplicated(relayed, hooked):
    relay, url = relayed
    calls: list[int] = []
    with PostgresStore.from_url(url, poll_interval=30) as store:
        if hooked:  # the append then runs in a transaction with its hooks
            store.add_append_hook(lambda tx, records: calls.append(len(records)))
        marker, events = _marked(2)
        relay.drop_reply_to(marker)
        woken = store._notifier.generation
        result = store.append("lost-1", events)
        assert relay.dropped == 1
        assert not result.deduplicated
        assert (result.version, len(result.positions)) == (2, 2)
        assert store._notifier.generation > woken, "followers in this process not woken"
        assert [e.event_id for e in store.read_stream("lost-1")] == [e.event_id for e in events]
        again = store.append("lost-1", events)
        assert again == AppendResult("lost-1", 2, result.positions, deduplicated=True)
        assert calls == ([2] if hooked else [])


def test_an_async_append_whose_reply_was_lost_is_not_deduplicated(relayed):
    relay, url = relayed

    async def scenario() -> None:
        async with AsyncPostgresStore.from_url(url, poll_interval=30) as store:
            marker, events = _marked(1)
            relay.drop_reply_to(marker)
            woken = store._notifier.generation
            result = await store.append("lost-2", events)
            assert relay.dropped == 1
            assert not result.deduplicated
            assert result.version == 1
            assert store._notifier.generation > woken
            again = await store.append("lost-2", events)
            assert again.deduplicated
            assert await store.stream_version("lost-2") == 1

    asyncio.run(scenario())


def test_an_append_many_whose_reply_was_lost_is_not_deduplicated(relayed):
    relay, url = relayed
    with PostgresStore.from_url(url, poll_interval=30) as store:
        marker, events = _marked(2)
        appends = [StreamAppend("lost-3", events[:1]), StreamAppend("lost-4", events[1:])]
        relay.drop_reply_to(marker)
        results = store.append_many(appends)
        assert relay.dropped == 1
        assert [(r.version, r.deduplicated) for r in results] == [(1, False), (1, False)]
        assert all(r.deduplicated for r in store.append_many(appends))


def test_flow_runs_listeners_once_when_the_reply_was_lost(relayed):
    relay, url = relayed
    heard: list[Opened] = []
    with PostgresStore.from_url(url, poll_interval=30) as store:
        flow = Flow(store)
        flow.register(Counter, stream_id=stream)
        flow.listen(Opened, lambda recorded: heard.append(recorded.event))
        marker = f"lost-{uuid.uuid4().hex}"
        relay.drop_reply_to(marker.encode())
        result = flow.dispatch(Open("a", marker), expected_version=0)
        assert relay.dropped == 1
        assert not result.deduplicated
        assert heard == [Opened(marker)]
        assert store.stream_version("counter-a") == 1


def test_async_flow_runs_listeners_once_when_the_reply_was_lost(relayed):
    relay, url = relayed
    heard: list[Opened] = []

    async def scenario() -> None:
        async with AsyncPostgresStore.from_url(url, poll_interval=30) as store:
            flow = AsyncFlow(store)
            flow.register(Counter, stream_id=stream)
            flow.listen(Opened, lambda recorded: heard.append(recorded.event))
            marker = f"lost-{uuid.uuid4().hex}"
            relay.drop_reply_to(marker.encode())
            result = await flow.dispatch(Open("b", marker))
            assert relay.dropped == 1
            assert not result.deduplicated
            assert [r.version for r in result.events] == [1]
            assert await store.stream_version("counter-b") == 1

    asyncio.run(scenario())
    assert heard == [Opened(heard[0].name)]
