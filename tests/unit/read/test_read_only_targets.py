"""Read-only targets (``open_target(url, read_only=True)``) create nothing and write nothing."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from fabula import ReadOnlyError, SchemaError
from fabula.read import open_async_target, open_target
from fabula.read.sqlite import SqliteTarget
from fabula.store import open_async_store, open_store


def test_a_missing_sqlite_target_is_refused_and_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'read.db'}"
    with pytest.raises(SchemaError, match="no fabula target at"):
        open_target(url, read_only=True)
    with pytest.raises(SchemaError, match="no fabula target at"):
        open_async_target(url, read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_target_read_only_reads_and_refuses_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'read.db'}"
    with SqliteTarget(url) as target:
        target.prepare("todo_list")
    with open_target(url, read_only=True) as looking:
        assert looking.checkpoint("todo_list").position == 0
        assert looking.dead_letters() == []
        with pytest.raises(ReadOnlyError):
            looking.commit("todo_list", after=0, position=1)

    async def scenario() -> None:
        async with open_async_target(url, read_only=True) as target:
            assert [c.name for c in await target.checkpoints()] == ["todo_list"]
            with pytest.raises(ReadOnlyError):
                await target.prepare("other")

    asyncio.run(scenario())


def test_a_sqlite_file_without_target_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    open_store(f"sqlite:///{path}").close()  # a store, but no read models
    with pytest.raises(SchemaError, match="no fabula read models"):
        open_target(f"sqlite:///{path}", read_only=True)


def test_memory_stores_and_targets_open_read_only_as_usual() -> None:
    with open_store("memory://", read_only=True) as store, open_target("memory://", read_only=True):
        assert store.head() == 0


def test_postgres_read_only_creates_no_schema(postgres_url: str) -> None:
    import psycopg  # the postgres extra: present when the fixture is

    schema = f"typo_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{sep}schema={schema}"

    async def scenario() -> None:
        async with open_async_target(url, read_only=True) as target:
            with pytest.raises(SchemaError, match="no fabula read models"):
                await target.checkpoints()
        with pytest.raises(SchemaError, match="holds no fabula tables"):
            async with open_async_store(url, read_only=True):  # opens on entry
                pass

    try:
        with open_target(url, read_only=True) as target, pytest.raises(SchemaError):
            target.checkpoint("todo_list")
        asyncio.run(scenario())
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
            assert found.fetchone() is None
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # only if we made it
