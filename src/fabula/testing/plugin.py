"""The fabula pytest plugin: a fresh event store per test, for every backend, sync and asyncio.

Installed with fabula (entry point ``pytest11``), so these fixtures are available in any
project that depends on fabula:

| fixture | store |
|---|---|
| ``fabula_memory_store`` / ``fabula_async_memory_store`` | a new in-memory store |
| ``fabula_sqlite_store`` / ``fabula_async_sqlite_store`` | SQLite in a file under ``tmp_path`` |
| ``fabula_postgres_store`` / ``fabula_async_postgres_store`` | PostgreSQL, in a schema of its own |
| ``fabula_store`` / ``fabula_async_store`` | each of the above in turn (parametrized) |

The async fixtures are plain fixtures that return the store; drive it with
``asyncio.run(...)`` in the test (no asyncio plugin needed). Each store is closed after
its test if the test did not close it. A PostgreSQL store's connection pool belongs to
the event loop that first used it, so close it inside that loop::

    def test_append(fabula_async_store):
        async def scenario():
            async with fabula_async_store as store:
                await store.append("thing-1", [...])

        asyncio.run(scenario())

PostgreSQL: the server comes from ``FABULA_TEST_DATABASE_URL`` (see
``fabula.testing._postgres``); every test gets a temporary schema, dropped afterwards.
When the server is unreachable the test is skipped with the reason, except when the
environment says ``CI=true``: then it fails, so CI never passes by skipping. Tests that
use a PostgreSQL fixture get the ``postgres`` marker, so ``-m "not postgres"`` leaves
them out.

Rule: this module is imported when pytest starts, in every project that has fabula
installed. It imports only pytest at the top; each backend is imported inside its fixture.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, cast

import pytest

from fabula._errors import ConfigurationError

if TYPE_CHECKING:
    from fabula.store import AsyncEventStore, EventStore
    from fabula.store.memory import AsyncMemoryStore, MemoryStore
    from fabula.store.postgres import AsyncPostgresStore, PostgresStore
    from fabula.store.sqlite import AsyncSqliteStore, SqliteStore

__all__ = [
    "fabula_async_memory_store",
    "fabula_async_postgres_store",
    "fabula_async_sqlite_store",
    "fabula_async_store",
    "fabula_memory_store",
    "fabula_postgres_schema_url",
    "fabula_postgres_store",
    "fabula_postgres_url",
    "fabula_sqlite_store",
    "fabula_sqlite_url",
    "fabula_store",
]

BACKENDS = ("memory", "sqlite", "postgres")
"""The backends ``fabula_store`` and ``fabula_async_store`` run a test against, in order."""

_POSTGRES_FIXTURES = frozenset(
    {
        "fabula_async_postgres_store",
        "fabula_postgres_schema_url",
        "fabula_postgres_store",
        "fabula_postgres_url",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``postgres`` marker (harmless when the project registers it too)."""
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a PostgreSQL fixture ``postgres`` (before ``-m`` selects)."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if not _POSTGRES_FIXTURES.isdisjoint(names) or _uses_postgres_param(item):
            item.add_marker(pytest.mark.postgres)


def _uses_postgres_param(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = getattr(callspec, "params", {})
    return "postgres" in (params.get("fabula_store"), params.get("fabula_async_store"))


# -- memory -------------------------------------------------------------------------------


@pytest.fixture
def fabula_memory_store() -> Iterator[MemoryStore]:
    """A new, empty in-memory store."""
    from fabula.store.memory import MemoryStore

    store = MemoryStore()
    yield store
    store.close()


@pytest.fixture
def fabula_async_memory_store() -> Iterator[AsyncMemoryStore]:
    """A new, empty asyncio in-memory store."""
    from fabula.store.memory import AsyncMemoryStore

    store = AsyncMemoryStore()
    yield store
    _close_async(store)


# -- SQLite -------------------------------------------------------------------------------


@pytest.fixture
def fabula_sqlite_url(tmp_path: Path) -> str:
    """The URL of a new SQLite database file under the test's ``tmp_path``."""
    return f"sqlite:///{tmp_path / 'fabula.db'}"


@pytest.fixture
def fabula_sqlite_store(fabula_sqlite_url: str) -> Iterator[SqliteStore]:
    """A SQLite store in a new database file (migrated, empty)."""
    from fabula.store.sqlite import SqliteStore

    store = SqliteStore.from_url(fabula_sqlite_url)
    yield store
    store.close()


@pytest.fixture
def fabula_async_sqlite_store(fabula_sqlite_url: str) -> Iterator[AsyncSqliteStore]:
    """An asyncio SQLite store in a new database file (migrated, empty)."""
    from fabula.store.sqlite import AsyncSqliteStore

    store = AsyncSqliteStore.from_url(fabula_sqlite_url)
    yield store
    _close_async(store)


# -- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fabula_postgres_url() -> str:
    """The test server's URL; skips (or fails, with ``CI=true``) when it is unreachable."""
    from fabula.testing import _postgres

    url = _postgres.test_database_url()
    reason = _postgres.postgres_unavailable_reason(url)
    if reason is not None:
        _unavailable(reason)
    return url


@pytest.fixture
def fabula_postgres_schema_url(fabula_postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty schema on the test server, dropped after the test."""
    from fabula.testing import _postgres

    with _postgres.temporary_schema(fabula_postgres_url) as url:
        yield url


@pytest.fixture
def fabula_postgres_store(fabula_postgres_schema_url: str) -> Iterator[PostgresStore]:
    """A PostgreSQL store in a schema of its own (migrated, empty)."""
    from fabula.store.postgres import PostgresStore

    store = PostgresStore.from_url(fabula_postgres_schema_url)
    yield store
    store.close()


@pytest.fixture
def fabula_async_postgres_store(
    fabula_postgres_schema_url: str,
) -> Iterator[AsyncPostgresStore]:
    """An asyncio PostgreSQL store in a schema of its own (migrated, empty)."""
    from fabula.store.postgres import AsyncPostgresStore

    store = AsyncPostgresStore.from_url(fabula_postgres_schema_url)
    yield store
    _close_async(store)


def _close_async(store: AsyncEventStore) -> None:
    try:
        asyncio.run(store.close())
    except RuntimeError as exc:  # its pool is tied to the test's event loop, now ended
        msg = (
            f"{type(store).__name__} was used in an event loop that has ended, so the fixture "
            "cannot close it: close it inside that loop (`async with store:` or "
            "`await store.close()`)"
        )
        raise ConfigurationError(msg) from exc


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"PostgreSQL is required when CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL is not available: {reason}")


# -- every backend ------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def fabula_store(request: pytest.FixtureRequest) -> EventStore:
    """Each backend's sync store in turn: the test runs once per backend."""
    return cast("EventStore", request.getfixturevalue(f"fabula_{request.param}_store"))


@pytest.fixture(params=BACKENDS)
def fabula_async_store(request: pytest.FixtureRequest) -> AsyncEventStore:
    """Each backend's asyncio store in turn: the test runs once per backend."""
    return cast("AsyncEventStore", request.getfixturevalue(f"fabula_async_{request.param}_store"))
