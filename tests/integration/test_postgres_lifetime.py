"""A store dropped without ``close()`` releases its connections and threads when collected.

The server's view (``pg_stat_activity``, by the store's own ``application_name``) and the
wake-up thread are checked after ``del store; gc.collect()``; the drop warns with a
``ResourceWarning``, as an unclosed file does.
"""

from __future__ import annotations

import asyncio
import gc
import time
import uuid
import warnings

import psycopg
import pytest

from fabula._postgres._settings import split_url
from fabula.store import NewEvent
from fabula.store.postgres import AsyncPostgresStore, PostgresStore

_RELEASED_WITHIN = 15.0  # seconds: a bound for the background close, not a measurement


def _events() -> list[NewEvent]:
    return [NewEvent(event_id=uuid.uuid4(), type="Kept", data="{}")]


def _connections(url: str, name: str) -> int:
    conninfo, _ = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def _drop(kept: list[object]) -> None:
    """Drop the last reference to a store, and collect."""
    kept.clear()
    gc.collect()


def _released(url: str, name: str, thread) -> bool:
    deadline = time.monotonic() + _RELEASED_WITHIN
    while _connections(url, name) or thread.is_alive():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_a_dropped_store_closes_its_connections_and_thread(postgres_schema_url):
    name = f"fabula-drop-{uuid.uuid4().hex[:12]}"
    store = PostgresStore.from_url(postgres_schema_url, application_name=name, poll_interval=0.1)
    store.append("dropped-1", _events())
    assert store.wait_for_events(0, timeout=5)
    assert not store.wait_for_events(2**62, timeout=0.2)  # listens: the wake-up thread runs
    thread = store._wakeups._thread
    assert thread is not None
    assert thread.is_alive()
    assert _connections(postgres_schema_url, name) >= 2  # the pool's and the wake-up's
    kept: list[object] = [store]
    del store
    with pytest.warns(ResourceWarning, match=r"PostgresStore .* dropped without close\(\)"):
        _drop(kept)
    assert _released(postgres_schema_url, name, thread)


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_a_dropped_async_store_closes_its_connections_and_thread(postgres_schema_url):
    name = f"fabula-drop-{uuid.uuid4().hex[:12]}"

    async def scenario() -> None:
        store = AsyncPostgresStore.from_url(
            postgres_schema_url, application_name=name, poll_interval=0.1
        )
        await store.append("dropped-2", _events())
        assert not await store.wait_for_events(2**62, timeout=0.2)
        thread = store._wakeups._thread
        assert thread is not None
        assert _connections(postgres_schema_url, name) >= 2
        kept: list[object] = [store]
        del store
        with pytest.warns(ResourceWarning, match=r"AsyncPostgresStore .* without close"):
            _drop(kept)
        # The pool closes on this loop: let it run while waiting.
        deadline = time.monotonic() + _RELEASED_WITHIN
        while _connections(postgres_schema_url, name) or thread.is_alive():
            assert time.monotonic() < deadline, "the dropped store still holds connections"
            await asyncio.sleep(0.05)

    asyncio.run(scenario())


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_an_async_store_dropped_after_its_loop_closes_its_connections(postgres_schema_url):
    name = f"fabula-drop-{uuid.uuid4().hex[:12]}"
    kept: list[object] = []

    async def scenario() -> None:
        store = AsyncPostgresStore.from_url(postgres_schema_url, application_name=name)
        await store.append("dropped-3", _events())
        assert not await store.wait_for_events(2**62, timeout=0.2)
        kept.append(store)

    asyncio.run(scenario())
    thread = kept[0]._wakeups._thread  # type: ignore[attr-defined]
    with pytest.warns(ResourceWarning, match="without close"):
        _drop(kept)
    assert _released(postgres_schema_url, name, thread)


@pytest.mark.postgres
def test_a_closed_or_unused_store_does_not_warn(postgres_schema_url):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = PostgresStore.from_url(postgres_schema_url)
        store.append("closed-1", _events())
        store.close()
        del store
        unused = PostgresStore.from_url(postgres_schema_url)
        del unused
        gc.collect()
