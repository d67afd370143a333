# Generated from test_postgres_async.py by tools/unasync.py: do not edit, edit the source.
"""The asyncio PostgreSQL target: async handlers on ``psycopg.Connection``.

tools/unasync.py generates test_postgres.py from this file: sync handlers on ``psycopg.Connection``.
"""

from __future__ import annotations

from typing import Any

import pytest

from fabula import Flow, Recorded
from fabula.read import (
    ErrorPolicy,
    LeaseSettings,
    Projection,
    ProjectionFailed,
    ProjectionRunner,
    ProjectionSet,
)
from fabula.read.postgres import PostgresTarget
from fabula.store.postgres import PostgresStore, drop_schema
from tests.integration.read.kits import schema_of, with_schema
from tests.unit.read import domain
from tests.unit.read.domain import Create, Created, Rename, Renamed

pytestmark = pytest.mark.postgres


def _projection() -> Projection:
    titles = Projection("titles", tables=["titles"], batch_size=3)

    @titles.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS titles (id text PRIMARY KEY, title text)")

    @titles.on(Created)
    def created(tx: Any, event: Recorded[Created]) -> None:
        if event.event.title in domain.POISON_TITLES:
            raise domain.Poison(event.stream_id)
        tx.execute("INSERT INTO titles VALUES (%s, %s)", (event.stream_id, event.event.title))

    @titles.on(Renamed)
    def renamed(tx: Any, event: Recorded[Renamed]) -> None:
        tx.execute(
            "UPDATE titles SET title = %s WHERE id = %s", (event.event.title, event.stream_id)
        )

    return titles


def _rows(target: PostgresTarget) -> list[tuple[Any, ...]]:
    with target.connection() as conn:
        cursor = conn.execute("SELECT id, title FROM titles ORDER BY id")
        return cursor.fetchall()


def test_runner_and_set_on_postgres(postgres_schema_url: str) -> None:
    read_url = with_schema(postgres_schema_url, schema_of(postgres_schema_url) + "_read")

    def scenario() -> None:
        store = PostgresStore.from_url(postgres_schema_url)
        target = PostgresTarget.from_url(read_url)
        flow = Flow(store, registry=domain.registry())
        flow.register(domain.Todo, stream_id=domain.stream)
        for i in range(5):
            flow.dispatch(Create(str(i), f"t{i}"))
        runner = ProjectionRunner(
            store,
            _projection(),
            target=target,
            registry=flow.registry,
            lease=LeaseSettings(ttl=2.0, owner="async"),
            poll_interval=0.05,
        )
        runner.start()
        result = flow.dispatch(Rename("3", "renamed"))
        runner.wait_for_position(result.position, timeout=10)
        assert ("todo-3", "renamed") in _rows(target)
        assert (target.lease("titles")).owner == "async"  # type: ignore[union-attr]
        poison = flow.dispatch(Create("p", "poison"))
        with pytest.raises(ProjectionFailed):
            runner.wait_for_position(poison.position, timeout=10)
        runner.stop()
        [letter] = target.dead_letters("titles")
        assert (letter.stream_id, letter.position) == ("todo-p", poison.position)

        projections = ProjectionSet(
            store,
            target,
            consumers=[_projection()],
            registry=flow.registry,
            policy=ErrorPolicy(retries=0, on_park="continue"),
        )
        projections.discard_parked("titles", poison.position)  # type: ignore[arg-type]
        status = projections.rebuild("titles", mode="copy")
        assert status.parked == 1  # the replay parked the poison again ("continue")
        rows = _rows(target)
        assert len(rows) == 5
        assert ("todo-3", "renamed") in rows
        projections.close()
        target.close()
        store.close()

    try:
        scenario()
    finally:
        drop_schema(read_url)
