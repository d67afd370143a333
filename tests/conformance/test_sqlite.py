"""The conformance suite against SQLite: a fresh database file per check."""

import asyncio

import pytest

from fabula.store.sqlite import AsyncSqliteStore, SqliteStore
from fabula.testing.conformance import ASYNC_CHECKS, SYNC_CHECKS, run_async_check, run_check


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'events.db'}"


@pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
def test_sync(check, url):
    run_check(check, lambda: SqliteStore.from_url(url))


@pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
def test_async(check, url):
    asyncio.run(run_async_check(check, lambda: AsyncSqliteStore.from_url(url)))
