"""The target suite's key-value read model in SQL, for the SQLite and PostgreSQL targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fabula.domain import Recorded
from fabula.read import AsyncTarget, Handler, SetupHook, Target
from fabula.read.postgres import AsyncPostgresTarget, PostgresTarget
from fabula.read.sqlite import AsyncSqliteTarget, SqliteTarget
from fabula.testing.conformance.targets import AsyncTargetKit, Rows, TargetKit


def _create(name: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {name} (id TEXT PRIMARY KEY, value TEXT NOT NULL)"


def _upsert(name: str, mark: str) -> str:
    return (
        f"INSERT INTO {name} (id, value) VALUES ({mark}, {mark}) "
        "ON CONFLICT (id) DO UPDATE SET value = excluded.value"
    )


def _select(name: str) -> str:
    return f"SELECT id, value FROM {name}"


def setup(name: str) -> SetupHook:
    def create(tx: Any) -> None:
        tx.execute(_create(name))

    return create


def put(mark: str) -> Callable[[str], Handler]:
    def for_name(name: str) -> Handler:
        def write(tx: Any, event: Recorded[Any]) -> None:
            tx.execute(_upsert(name, mark), (event.stream_id, event.event.value))

        return write

    return for_name


def async_setup(name: str) -> SetupHook:
    async def create(tx: Any) -> None:
        await tx.execute(_create(name))

    return create


def async_put(name: str) -> Handler:
    async def write(tx: Any, event: Recorded[Any]) -> None:
        await tx.execute(_upsert(name, "%s"), (event.stream_id, event.event.value))

    return write


def sqlite_kit(path: str) -> TargetKit:
    def rows(target: Target, name: str) -> Rows:
        assert isinstance(target, SqliteTarget)
        return dict(target.read(lambda conn: conn.execute(_select(name)).fetchall()))

    return TargetKit(open=lambda: SqliteTarget(path), setup=setup, put=put("?"), rows=rows)


def async_sqlite_kit(path: str) -> AsyncTargetKit:
    async def rows(target: AsyncTarget, name: str) -> Rows:
        assert isinstance(target, AsyncSqliteTarget)
        return dict(await target.read(lambda conn: conn.execute(_select(name)).fetchall()))

    return AsyncTargetKit(
        open=lambda: AsyncSqliteTarget(path), setup=setup, put=put("?"), rows=rows
    )


def postgres_kit(url: str) -> TargetKit:
    def rows(target: Target, name: str) -> Rows:
        assert isinstance(target, PostgresTarget)
        with target.connection() as conn:
            return dict(conn.execute(_select(name)).fetchall())

    return TargetKit(
        open=lambda: PostgresTarget.from_url(url), setup=setup, put=put("%s"), rows=rows
    )


def async_postgres_kit(url: str) -> AsyncTargetKit:
    async def rows(target: AsyncTarget, name: str) -> Rows:
        assert isinstance(target, AsyncPostgresTarget)
        async with target.connection() as conn:
            cursor = await conn.execute(_select(name))
            return dict(await cursor.fetchall())

    return AsyncTargetKit(
        open=lambda: AsyncPostgresTarget.from_url(url),
        setup=async_setup,
        put=async_put,
        rows=rows,
    )
