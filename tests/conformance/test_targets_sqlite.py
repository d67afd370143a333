"""The target suite against the SQLite target (a file per test), sync and asyncio."""

import asyncio

import pytest

from fabula.testing.conformance.targets import ASYNC_CHECKS, SYNC_CHECKS
from tests.conformance.sql_kits import async_sqlite_kit, sqlite_kit


@pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
def test_sync(check, tmp_path):
    check(sqlite_kit(str(tmp_path / "read.db")))


@pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
def test_async(check, tmp_path):
    asyncio.run(check(async_sqlite_kit(str(tmp_path / "read.db"))))
