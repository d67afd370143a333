"""A PostgreSQL target that cannot work says why at once (issue 11, item 8).

``PostgresTarget("postgresql://...?schema=x")`` handed the URL to the driver, which
refused the ``schema`` parameter; the pool retried it for 30 s, and the status failed
without the cause. These need no server: the one they name is not there.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg_pool import PoolClosed

from fabula import AsyncFlow, ConfigurationError, StoreError
from fabula.read import AsyncProjectionRunner, Projection
from fabula.read.postgres import AsyncPostgresTarget, PostgresTarget
from fabula.store.postgres import AsyncPostgresStore, PostgresStore
from tests.integration.test_postgres_pure import DRIVER_ERRORS
from tests.unit.read import domain
from tests.unit.read.domain import Create

NOWHERE = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1


def test_the_url_s_schema_parameter_names_the_schema() -> None:
    target = PostgresTarget(f"{NOWHERE}?schema=reads")
    assert target.schema == "reads"
    assert "schema" not in target.conninfo
    assert PostgresTarget(NOWHERE).schema == "fabula"  # the store's default
    with pytest.raises(ConfigurationError, match="two schemas"):
        PostgresTarget(f"{NOWHERE}?schema=reads", schema="other")


def test_a_target_opens_from_a_store_s_settings() -> None:
    store = PostgresStore.from_url(f"{NOWHERE}?schema=app", max_size=3)
    target = PostgresTarget(store.settings)
    assert (target.schema, target.conninfo) == ("app", store.settings.conninfo)
    assert PostgresTarget(store.settings, schema="app").schema == "app"
    with pytest.raises(ConfigurationError, match="two schemas"):
        PostgresTarget(store.settings, schema="other")
    store.close()


def test_a_store_and_a_target_of_one_url_share_the_default_schema() -> None:
    store = PostgresStore.from_url(NOWHERE)
    assert PostgresTarget(NOWHERE).schema == store.settings.schema == "fabula"
    store.close()


@pytest.mark.parametrize(("error", "kind", "message"), DRIVER_ERRORS)
def test_the_target_maps_driver_errors_as_the_store_does(
    error: Exception, kind: type[Exception], message: str
) -> None:
    target = PostgresTarget("postgresql://postgres@db:5432/app?schema=orders")
    mapped = target._error(error)  # what connection() and open() raise from a driver error
    assert type(mapped) is kind
    assert message in str(mapped)
    target.close()


def test_a_closed_target_says_so() -> None:
    target = PostgresTarget(NOWHERE)
    mapped = target._error(PoolClosed("the pool 'fabula-read-fabula' is already closed"))
    assert str(mapped) == "the PostgreSQL read-model target for 127.0.0.1:1/test is closed"
    target.close()


def test_a_bad_connection_string_fails_at_once_with_the_cause() -> None:
    with pytest.raises(ConfigurationError, match="invalid URI query parameter"):
        PostgresTarget(f"{NOWHERE}?bogus=1")
    with pytest.raises(ConfigurationError, match="invalid URI query parameter"):
        AsyncPostgresTarget(f"{NOWHERE}?bogus=1")


@pytest.mark.timeout(20)
def test_an_unreachable_server_fails_fast_with_the_cause() -> None:
    target = PostgresTarget(NOWHERE)
    try:
        with pytest.raises(StoreError, match="refused"):
            target.checkpoint("todo_list")
    finally:
        target.close()


@pytest.mark.timeout(20)
def test_an_unreachable_server_fails_fast_with_the_cause_asyncio() -> None:
    async def check() -> None:
        target = AsyncPostgresTarget(NOWHERE)
        try:
            with pytest.raises(StoreError, match="refused"):
                await target.checkpoint("todo_list")
        finally:
            await target.close()

    asyncio.run(check())


@pytest.mark.postgres
def test_sync_handlers_on_the_asyncio_target_fail_loudly(postgres_schema_url: str) -> None:
    """They would call ``tx.execute`` on an ``AsyncConnection`` and never await it."""

    async def check() -> None:
        store = AsyncPostgresStore.from_url(postgres_schema_url)
        target = AsyncPostgresTarget.from_url(postgres_schema_url)
        flow = AsyncFlow(store, registry=domain.registry())
        flow.register(domain.Todo, stream_id=domain.stream)
        position = (await flow.dispatch(Create("a", "one"))).position or 0
        for _ in range(1000):  # until readers see it (PostgreSQL's horizon)
            if await store.head() >= position:
                break
            await asyncio.sleep(0.01)
        sync_setup = domain.todo_sql(mark="%s")
        runner = AsyncProjectionRunner(store, sync_setup, target=target, registry=domain.registry())
        try:
            with pytest.raises(ConfigurationError, match="async def"):
                await runner.run_until_caught_up()
            no_setup = Projection("plain")

            @no_setup.on(domain.Created)
            def created(tx: Any, event: Any) -> None:
                tx.execute("SELECT 1")

            runner = AsyncProjectionRunner(
                store, no_setup, target=target, registry=domain.registry()
            )
            with pytest.raises(ConfigurationError, match=r"created.*async def"):
                await runner.run_until_caught_up()
        finally:
            await target.close()
            await store.close()

    asyncio.run(check())
