"""A PostgreSQL target that cannot work says why at once (issue 11, item 8).

``PostgresTarget("postgresql://...?schema=x")`` handed the URL to the driver, which
refused the ``schema`` parameter; the pool retried it for 30 s, and the status failed
without the cause. These need no server: the one they name is not there.
"""

from __future__ import annotations

import asyncio

import pytest

from fabula import ConfigurationError, StoreError
from fabula.read.postgres import AsyncPostgresTarget, PostgresTarget

NOWHERE = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1


def test_the_url_s_schema_parameter_names_the_schema() -> None:
    target = PostgresTarget(f"{NOWHERE}?schema=reads")
    assert target.schema == "reads"
    assert "schema" not in target.conninfo
    assert PostgresTarget(NOWHERE).schema == "public"
    with pytest.raises(ConfigurationError, match="two schemas"):
        PostgresTarget(f"{NOWHERE}?schema=reads", schema="other")


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
