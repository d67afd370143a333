"""Retrying a parked event that an upcaster splits applies all its parts in one transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from fabula.read import (
    AsyncProjectionSet,
    ErrorPolicy,
    HandlerError,
    Projection,
    ProjectionSet,
    open_async_target,
)
from fabula.read.memory import MemoryTarget
from fabula.read.sqlite import SqliteTarget
from fabula.store import open_async_store, open_store
from tests.unit.codec.evolution_kit import Joined, Moved, old, registry

POLICY = ErrorPolicy(retries=0, backoff=0.0, on_park="continue")
FAILING = {"on": True}


def _fail() -> None:
    if FAILING["on"]:
        raise RuntimeError("poison: the Moved handler has a bug")


def memory_projection() -> Projection:
    people = Projection("people")

    @people.on(Joined)
    def joined(model: dict[str, Any], event: Any) -> None:
        model.setdefault(event.stream_id, []).append(f"joined {event.event.name}")

    @people.on(Moved)
    def moved(model: dict[str, Any], event: Any) -> None:
        _fail()
        model.setdefault(event.stream_id, []).append(f"moved {event.event.street}")

    return people


def sql_projection(placeholder: str) -> Projection:
    insert = f"INSERT INTO people (stream_id, what) VALUES ({placeholder}, {placeholder})"
    people = Projection("people", tables=("people",))
    people.setup(
        lambda tx: tx.execute("CREATE TABLE IF NOT EXISTS people (stream_id TEXT, what TEXT)")
    )

    @people.on(Joined)
    def joined(tx: Any, event: Any) -> None:
        tx.execute(insert, (event.stream_id, f"joined {event.event.name}"))

    @people.on(Moved)
    def moved(tx: Any, event: Any) -> None:
        _fail()
        tx.execute(insert, (event.stream_id, f"moved {event.event.street}"))

    return people


def async_sql_projection() -> Projection:
    insert = "INSERT INTO people (stream_id, what) VALUES (%s, %s)"
    people = Projection("people", tables=("people",))

    @people.setup
    async def setup(tx: Any) -> None:
        await tx.execute("CREATE TABLE IF NOT EXISTS people (stream_id TEXT, what TEXT)")

    @people.on(Joined)
    async def joined(tx: Any, event: Any) -> None:
        await tx.execute(insert, (event.stream_id, f"joined {event.event.name}"))

    @people.on(Moved)
    async def moved(tx: Any, event: Any) -> None:
        _fail()
        await tx.execute(insert, (event.stream_id, f"moved {event.event.street}"))

    return people


@pytest.fixture(autouse=True)
def failing() -> Any:
    FAILING["on"] = True
    yield
    FAILING["on"] = True


def _history() -> list[Any]:
    return [old("CustomerRegistered", {"name": "Ann", "street": "Elm"})]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_retry_applies_every_part_of_a_split_event(kind: str, tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'events.db'}") as store:
        store.append("customer-1", _history())
        if kind == "memory":
            target: Any = MemoryTarget()
            projection = memory_projection()

            def rows() -> list[str]:
                return list(target.model("people").get("customer-1", []))
        else:
            target = SqliteTarget(str(tmp_path / "read.db"))
            projection = sql_projection("?")

            def rows() -> list[str]:
                return [
                    w
                    for (w,) in target.read(
                        lambda c: c.execute("SELECT what FROM people ORDER BY rowid").fetchall()
                    )
                ]

        projections = ProjectionSet(
            store, target, consumers=[projection], registry=registry(), policy=POLICY
        )
        projections.run_until_caught_up()
        [letter] = projections.parked()
        assert rows() == []  # the parked record's parts were applied together, so none of them
        with pytest.raises(HandlerError):
            projections.retry_parked("people", letter.position)
        assert rows() == []  # still failing: nothing of it applied
        FAILING["on"] = False
        projections.retry_parked("people", letter.position)
        assert rows() == ["joined Ann", "moved Elm"]
        assert projections.parked() == []
        target.close()


@pytest.mark.postgres
def test_retry_applies_every_part_of_a_split_event_on_postgres(postgres_schema_url: str) -> None:
    async def main() -> None:
        async with open_async_store(postgres_schema_url) as store:
            await store.append("customer-1", _history())
            target = open_async_target(postgres_schema_url)
            projections = AsyncProjectionSet(
                store,
                target,
                consumers=[async_sql_projection()],
                registry=registry(),
                policy=POLICY,
            )
            await projections.run_until_caught_up()
            [letter] = await projections.parked()
            with pytest.raises(HandlerError):
                await projections.retry_parked("people", letter.position)
            FAILING["on"] = False
            await projections.retry_parked("people", letter.position)
            async with target.connection() as conn:  # type: ignore[attr-defined]
                cursor = await conn.execute("SELECT what FROM people ORDER BY what")
                assert [w for (w,) in await cursor.fetchall()] == ["joined Ann", "moved Elm"]
            assert await projections.parked() == []
            await target.close()

    asyncio.run(main())
