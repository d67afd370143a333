"""The conformance suite against PostgreSQL: a fresh schema per check."""

import asyncio

import pytest

from fabula.testing.conformance import ASYNC_CHECKS, SYNC_CHECKS, run_async_check, run_check

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
def test_sync(check, postgres_schema_url):
    from fabula.store.postgres import PostgresStore

    run_check(check, lambda: PostgresStore.from_url(postgres_schema_url))


@pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
def test_async(check, postgres_schema_url):
    from fabula.store.postgres import AsyncPostgresStore

    asyncio.run(run_async_check(check, lambda: AsyncPostgresStore.from_url(postgres_schema_url)))
