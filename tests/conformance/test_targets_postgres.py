"""The target suite against the PostgreSQL target (a schema per test), sync and asyncio."""

import asyncio
from collections.abc import Iterator

import pytest

from fabula.store.postgres import drop_schema
from fabula.testing.conformance.targets import ASYNC_CHECKS, SYNC_CHECKS
from tests.conformance.sql_kits import async_postgres_kit, postgres_kit
from tests.integration.read.kits import schema_of, with_schema


@pytest.fixture
def url(postgres_schema_url: str) -> Iterator[str]:
    """The test's schema; the scratch schemas that rebuild checks leave are dropped after."""
    yield postgres_schema_url
    base = schema_of(postgres_schema_url)
    for name in ("tc_rebuild_swap", "tc_rebuild_behind"):
        drop_schema(with_schema(postgres_schema_url, f"{base}_rebuild_{name}"))


@pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
def test_sync(check, url):
    check(postgres_kit(url))


@pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
def test_async(check, url):
    asyncio.run(check(async_postgres_kit(url)))
