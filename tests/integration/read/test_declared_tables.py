"""`Projection(tables={name: columns})` creates its tables on SQL targets, sync and async."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fabula import ConfigurationError, Recorded
from fabula.read import AsyncProjectionRunner, Projection, ProjectionRunner
from fabula.read.postgres import AsyncPostgresTarget, PostgresTarget
from fabula.read.sqlite import AsyncSqliteTarget, SqliteTarget
from fabula.store import NewEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from tests.unit.read.domain import Created, registry

COLUMNS = {"titles": "stream TEXT, title TEXT"}
CREATED = NewEvent(event_id=uuid.uuid4(), type="todo_created", data='{"title":"a"}')


def _sync_titles() -> Projection:
    projection = Projection("declared", tables=COLUMNS)

    @projection.on(Created)
    def created(tx: Any, recorded: Recorded[Created]) -> None:
        mark = "?" if isinstance(tx, sqlite3.Connection) else "%s"
        tx.execute(f"INSERT INTO titles VALUES ({mark}, {mark})", (recorded.stream_id, "a"))

    return projection


def _async_titles() -> Projection:
    projection = Projection("declared_async", tables={"async_titles": "stream TEXT, title TEXT"})

    @projection.on(Created)
    async def created(tx: psycopg.AsyncConnection[Any], recorded: Recorded[Created]) -> None:
        await tx.execute("INSERT INTO async_titles VALUES (%s, %s)", (recorded.stream_id, "a"))

    return projection


def test_a_mapping_of_tables_names_them_and_checks_their_names() -> None:
    assert Projection("p", tables=COLUMNS).tables == ("titles",)
    assert len(Projection("p", tables=COLUMNS).setup_hooks) == 1
    assert Projection("p", tables=["titles"]).setup_hooks == ()
    with pytest.raises(ConfigurationError):
        Projection("p", tables={"no such": "x TEXT"})


def test_sqlite_targets_create_declared_tables(tmp_path: Path) -> None:
    store = MemoryStore()
    store.append("todo-1", [CREATED])
    with SqliteTarget(str(tmp_path / "read.db")) as target:
        ProjectionRunner(
            store, _sync_titles(), target=target, registry=registry()
        ).run_until_caught_up()
        rows = target.read(lambda db: db.execute("SELECT * FROM titles").fetchall())
    assert rows == [("todo-1", "a")]

    async def main() -> list[Any]:
        log = AsyncMemoryStore()
        await log.append("todo-2", [CREATED])
        async with AsyncSqliteTarget(str(tmp_path / "async.db")) as target:
            runner = AsyncProjectionRunner(log, _sync_titles(), target=target, registry=registry())
            await runner.run_until_caught_up()
            return await target.read(lambda db: db.execute("SELECT * FROM titles").fetchall())

    assert asyncio.run(main()) == [("todo-2", "a")]


def test_postgres_targets_create_declared_tables(postgres_schema_url: str) -> None:
    store = MemoryStore()
    store.append("todo-1", [CREATED])
    with PostgresTarget(postgres_schema_url) as target:
        ProjectionRunner(
            store, _sync_titles(), target=target, registry=registry()
        ).run_until_caught_up()
        with target.connection() as conn:
            assert conn.execute("SELECT * FROM titles").fetchall() == [("todo-1", "a")]

    async def main() -> list[Any]:
        log = AsyncMemoryStore()
        await log.append("todo-2", [CREATED])
        async with AsyncPostgresTarget(postgres_schema_url) as target:
            runner = AsyncProjectionRunner(log, _async_titles(), target=target, registry=registry())
            await runner.run_until_caught_up()
            async with target.connection() as conn:
                return await (await conn.execute("SELECT * FROM async_titles")).fetchall()

    assert asyncio.run(main()) == [("todo-2", "a")]
