"""The pytest plugin: loaded by entry point, each fixture gives a fresh, working store."""

from __future__ import annotations

import asyncio
import importlib.metadata
import subprocess
import sys
from uuid import uuid4

import pytest

from fabula import ConfigurationError
from fabula.store import AsyncEventStore, EventStore, NewEvent
from fabula.testing import plugin


def _event() -> NewEvent:
    return NewEvent(event_id=uuid4(), type="kit_thing_happened", data='{"n":1}')


def _round_trip(store: EventStore) -> None:
    assert store.head() == 0, "the store must start empty"
    result = store.append("thing-1", [_event(), _event()])
    assert result.version == 2
    assert [e.version for e in store.read_stream("thing-1")] == [1, 2]


async def _async_round_trip(store: AsyncEventStore) -> None:
    # Closed inside the loop that used it: a PostgreSQL pool belongs to that loop.
    try:
        assert await store.head() == 0, "the store must start empty"
        result = await store.append("thing-1", [_event()])
        assert result.version == 1
        assert [e.data for e in await store.read_stream("thing-1")] == ['{"n":1}']
    finally:
        await store.close()


def test_the_plugin_is_registered_as_a_pytest_entry_point() -> None:
    points = importlib.metadata.entry_points(group="pytest11")
    assert {(p.name, p.value) for p in points} >= {("fabula", "fabula.testing.plugin")}


def test_the_plugin_imports_no_backend_at_import_time() -> None:
    code = (
        "import sys, fabula.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('fabula.store.', 'psycopg', "
        "'sqlite3', 'fabula.testing._postgres'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip()
    for heavy in (
        "fabula.store.sqlite",
        "fabula.store.postgres",
        "psycopg",
        "sqlite3",
        "_postgres",
    ):
        assert heavy not in loaded, loaded


def test_memory_store(fabula_memory_store: EventStore) -> None:
    _round_trip(fabula_memory_store)


def test_async_memory_store(fabula_async_memory_store: AsyncEventStore) -> None:
    asyncio.run(_async_round_trip(fabula_async_memory_store))


def test_each_test_gets_a_new_memory_store(fabula_memory_store: EventStore) -> None:
    _round_trip(fabula_memory_store)  # fails on "must start empty" if the store were shared


def test_sqlite_store(fabula_sqlite_store: EventStore, fabula_sqlite_url: str) -> None:
    assert fabula_sqlite_url.startswith("sqlite:////")
    _round_trip(fabula_sqlite_store)


def test_async_sqlite_store(fabula_async_sqlite_store: AsyncEventStore) -> None:
    asyncio.run(_async_round_trip(fabula_async_sqlite_store))


def test_postgres_store(fabula_postgres_store: EventStore, request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("postgres") is not None
    _round_trip(fabula_postgres_store)


def test_async_postgres_store(fabula_async_postgres_store: AsyncEventStore) -> None:
    asyncio.run(_async_round_trip(fabula_async_postgres_store))


def test_every_backend(fabula_store: EventStore, request: pytest.FixtureRequest) -> None:
    is_postgres = request.node.callspec.params["fabula_store"] == "postgres"
    assert (request.node.get_closest_marker("postgres") is not None) == is_postgres
    _round_trip(fabula_store)


def test_every_async_backend(fabula_async_store: AsyncEventStore) -> None:
    asyncio.run(_async_round_trip(fabula_async_store))


def test_an_unavailable_server_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not available: no server"):
        plugin._unavailable("no server")


@pytest.mark.parametrize("value", ["true", "TRUE"])
def test_an_unavailable_server_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="required when CI=true: no server"):
        plugin._unavailable("no server")


class _LoopBound:
    """Stands for a store whose close needs the (ended) event loop that opened it."""

    async def close(self) -> None:
        raise RuntimeError("Event loop is closed")


def test_a_store_left_open_in_an_ended_loop_fails_the_teardown_clearly() -> None:
    with pytest.raises(ConfigurationError, match="close it inside that loop") as failure:
        plugin._close_async(_LoopBound())  # type: ignore[arg-type]
    assert isinstance(failure.value.__cause__, RuntimeError)
