"""The asyncio PostgreSQL target: async handlers on ``psycopg.AsyncConnection``.

tools/unasync.py generates test_postgres.py from this file: sync handlers on ``psycopg.Connection``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fabula import AsyncFlow, Recorded
from fabula.read import (
    AsyncProjectionRunner,
    AsyncProjectionSet,
    ErrorPolicy,
    LeaseSettings,
    Projection,
    ProjectionFailed,
)
from fabula.read.postgres import AsyncPostgresTarget
from fabula.store.postgres import AsyncPostgresStore, drop_schema
from tests.integration.read.kits import schema_of, with_schema
from tests.unit.read import domain
from tests.unit.read.domain import Create, Created, Rename, Renamed

pytestmark = pytest.mark.postgres


def _projection() -> Projection:
    titles = Projection("titles", tables=["titles"], batch_size=3)

    @titles.setup
    async def create(tx: Any) -> None:
        await tx.execute("CREATE TABLE IF NOT EXISTS titles (id text PRIMARY KEY, title text)")

    @titles.on(Created)
    async def created(tx: Any, event: Recorded[Created]) -> None:
        if event.event.title in domain.POISON_TITLES:
            raise domain.Poison(event.stream_id)
        await tx.execute("INSERT INTO titles VALUES (%s, %s)", (event.stream_id, event.event.title))

    @titles.on(Renamed)
    async def renamed(tx: Any, event: Recorded[Renamed]) -> None:
        await tx.execute(
            "UPDATE titles SET title = %s WHERE id = %s", (event.event.title, event.stream_id)
        )

    return titles


async def _rows(target: AsyncPostgresTarget) -> list[tuple[Any, ...]]:
    async with target.connection() as conn:
        cursor = await conn.execute("SELECT id, title FROM titles ORDER BY id")
        return await cursor.fetchall()


def test_runner_and_set_on_postgres(postgres_schema_url: str) -> None:
    read_url = with_schema(postgres_schema_url, schema_of(postgres_schema_url) + "_read")

    async def scenario() -> None:
        store = AsyncPostgresStore.from_url(postgres_schema_url)
        target = AsyncPostgresTarget.from_url(read_url)
        flow = AsyncFlow(store, registry=domain.registry())
        flow.register(domain.Todo, stream_id=domain.stream)
        for i in range(5):
            await flow.dispatch(Create(str(i), f"t{i}"))
        runner = AsyncProjectionRunner(
            store,
            _projection(),
            target=target,
            registry=flow.registry,
            lease=LeaseSettings(ttl=2.0, owner="async"),
            poll_interval=0.05,
        )
        await runner.start()
        result = await flow.dispatch(Rename("3", "renamed"))
        await runner.wait_for_position(result.position, timeout=10)
        assert ("todo-3", "renamed") in await _rows(target)
        assert (await target.lease("titles")).owner == "async"  # type: ignore[union-attr]
        poison = await flow.dispatch(Create("p", "poison"))
        with pytest.raises(ProjectionFailed):
            await runner.wait_for_position(poison.position, timeout=10)
        await runner.stop()
        [letter] = await target.dead_letters("titles")
        assert (letter.stream_id, letter.position) == ("todo-p", poison.position)

        projections = AsyncProjectionSet(
            store,
            target,
            consumers=[_projection()],
            registry=flow.registry,
            policy=ErrorPolicy(retries=0, on_park="continue"),
        )
        await projections.discard_parked("titles", poison.position)  # type: ignore[arg-type]
        status = await projections.rebuild("titles", mode="copy")
        assert status.parked == 1  # the replay parked the poison again ("continue")
        rows = await _rows(target)
        assert len(rows) == 5
        assert ("todo-3", "renamed") in rows
        await projections.close()
        await target.close()
        await store.close()

    try:
        asyncio.run(scenario())
    finally:
        drop_schema(read_url)
