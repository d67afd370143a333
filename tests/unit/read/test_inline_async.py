"""Inline projections on the asyncio SQLite store (sync handlers, run in its writer thread)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from fabula import AsyncFlow, ConfigurationError, Recorded
from fabula.read import AsyncInlineProjection, AsyncProjectionRunner, HandlerError, Projection
from fabula.read.sqlite import AsyncSqliteTarget
from fabula.store.sqlite import AsyncSqliteStore

from . import domain
from .domain import Create, Created, Rename, Todo


def _flow(store: AsyncSqliteStore) -> AsyncFlow:
    flow = AsyncFlow(store, registry=domain.registry())
    flow.register(Todo, stream_id=domain.stream)
    return flow


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return domain.sql_rows(conn)


def test_dispatch_failure_catch_up_and_hand_over_to_a_runner(tmp_path: Path) -> None:
    path = tmp_path / "app.db"

    async def scenario() -> None:
        store = AsyncSqliteStore(path)
        flow = _flow(store)
        await flow.dispatch(Create("a", "one"))
        projection = domain.todo_sql()
        inline = AsyncInlineProjection(store, projection, registry=flow.registry)
        await inline.attach()  # catches up with "a"
        result = await flow.dispatch(Create("b", "two"))
        assert _rows(path) == [("todo-a", "one", 0, 1), ("todo-b", "two", 0, 1)]
        await inline.wait_for_position(result.position)
        with pytest.raises(HandlerError, match="todo-c"):
            await flow.dispatch(Create("c", "poison"))
        assert await store.head() == result.position
        await inline.detach()
        await flow.dispatch(Rename("b", "three"))
        target = AsyncSqliteTarget(f"sqlite:///{path}")
        runner = AsyncProjectionRunner(store, projection, target=target, registry=flow.registry)
        status = await runner.run_until_caught_up()
        assert status.position == await store.head()
        assert _rows(path) == [("todo-a", "one", 0, 1), ("todo-b", "three", 0, 2)]
        await target.close()
        await store.close()

    asyncio.run(scenario())


def test_async_handlers_are_refused_on_sqlite(tmp_path: Path) -> None:
    projection = Projection("titles")

    @projection.on(Created)
    async def created(tx: Any, event: Recorded[Created]) -> None:
        pass

    async def scenario() -> None:
        store = AsyncSqliteStore(tmp_path / "app.db")
        flow = _flow(store)
        await AsyncInlineProjection(store, projection, registry=flow.registry).attach()
        with pytest.raises(HandlerError) as caught:
            await flow.dispatch(Create("a", "one"))
        assert isinstance(caught.value.__cause__, ConfigurationError)
        assert await store.head() == 0
        await store.close()

    asyncio.run(scenario())
