# Generated from test_postgres_faults_async.py by tools/unasync.py: do not edit, edit the source.
"""The fault checks of tests/unit/read/test_faults.py, on PostgreSQL.

Written for asyncio; tools/unasync.py generates the sync twin beside it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fabula.read.postgres import PostgresTarget
from fabula.store.postgres import PostgresStore, drop_schema
from tests.integration.read.kits import schema_of, with_schema
from tests.integration.read.test_postgres import _projection
from tests.unit.read.test_faults import CHECKS, Case, make_flow, native_failing

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[6:])
def test_faults_on_postgres(check: Callable[[Case], None], postgres_schema_url: str) -> None:
    read_url = with_schema(postgres_schema_url, schema_of(postgres_schema_url) + "_read")

    def run() -> None:
        store = PostgresStore.from_url(postgres_schema_url)
        target = PostgresTarget.from_url(read_url)
        try:
            check(Case(store, target, _projection(), native_failing, make_flow(store)))
        finally:
            target.close()
            store.close()

    try:
        run()
    finally:
        drop_schema(read_url)
        drop_schema(with_schema(read_url, schema_of(read_url) + "_rebuild_titles"))
