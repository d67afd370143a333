"""Stores, targets, runners and sets are context managers, with real types (mypy checks this).

``assert_type`` is checked by mypy, which runs over the tests in ``make lint``; at run
time each block also runs, on in-memory and SQLite resources.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import assert_type

import fabula
from fabula.read import (
    AsyncProjectionRunner,
    AsyncProjectionSet,
    AsyncTarget,
    Projection,
    ProjectionRunner,
    ProjectionSet,
    Target,
    open_async_target,
    open_target,
)
from fabula.store import AsyncEventStore, EventStore
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore

PROJECTION = Projection("typed")


def test_sync_resources_are_typed_context_managers(tmp_path: Path) -> None:
    with fabula.open_store("memory://") as store, open_target("memory://") as target:
        assert_type(store, EventStore)
        assert_type(target, Target)
        with ProjectionRunner(store, PROJECTION, target=target) as runner:
            assert_type(runner, ProjectionRunner)
            runner.start()
    with SqliteStore(tmp_path / "events.db") as sqlite_store:
        assert_type(sqlite_store, SqliteStore)
    with ProjectionSet("memory://", "memory://", consumers=[PROJECTION]) as projections:
        assert_type(projections, ProjectionSet)


def test_async_resources_are_typed_context_managers(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with (
            fabula.open_async_store("memory://") as store,
            open_async_target("memory://") as target,
        ):
            assert_type(store, AsyncEventStore)
            assert_type(target, AsyncTarget)
            async with AsyncProjectionRunner(store, PROJECTION, target=target) as runner:
                assert_type(runner, AsyncProjectionRunner)
                await runner.start()
        async with AsyncSqliteStore(tmp_path / "events.db") as sqlite_store:
            assert_type(sqlite_store, AsyncSqliteStore)
        sources = ("memory://", "memory://")
        async with AsyncProjectionSet(*sources, consumers=[PROJECTION]) as projections:
            assert_type(projections, AsyncProjectionSet)

    asyncio.run(scenario())
