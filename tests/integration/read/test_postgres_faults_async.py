"""The fault checks of tests/unit/read/test_faults_async.py, on PostgreSQL.

Written for asyncio; tools/unasync.py generates the sync twin beside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from fabula.read.postgres import AsyncPostgresTarget
from fabula.store.postgres import AsyncPostgresStore, drop_schema
from tests.integration.read.kits import schema_of, with_schema
from tests.integration.read.test_postgres_async import _projection
from tests.unit.read.test_faults_async import CHECKS, AsyncCase, make_flow, native_failing

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[6:])
def test_faults_on_postgres(
    check: Callable[[AsyncCase], Awaitable[None]], postgres_schema_url: str
) -> None:
    read_url = with_schema(postgres_schema_url, schema_of(postgres_schema_url) + "_read")

    async def run() -> None:
        store = AsyncPostgresStore.from_url(postgres_schema_url)
        target = AsyncPostgresTarget.from_url(read_url)
        try:
            await check(AsyncCase(store, target, _projection(), native_failing, make_flow(store)))
        finally:
            await target.close()
            await store.close()

    try:
        asyncio.run(run())
    finally:
        drop_schema(read_url)
        drop_schema(with_schema(read_url, schema_of(read_url) + "_rebuild_titles"))
