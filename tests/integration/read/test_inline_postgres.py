"""Inline projections on PostgreSQL: the read model commits in the append's transaction."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest

from fabula import AsyncFlow, Recorded
from fabula.read import (
    AsyncInlineProjection,
    AsyncProjectionRunner,
    HandlerError,
    InlineProjection,
    Projection,
    ProjectionRunner,
)
from fabula.read.postgres import AsyncPostgresTarget, PostgresTarget
from fabula.store import NewEvent, StoredEvent
from fabula.store.postgres import AsyncPostgresStore, PostgresStore, drop_schema
from tests.integration.read.kits import schema_of, with_schema
from tests.unit.read import domain
from tests.unit.read.domain import Complete, Create, Created, Note, Rename, Renamed
from tests.unit.read.kits import SettlingFlow
from tests.unit.read.test_inline import test_append_many_applies_every_streams_events_or_none

pytestmark = pytest.mark.postgres

__all__ = ["test_append_many_applies_every_streams_events_or_none"]


@dataclass
class Setup:
    store: PostgresStore
    flow: SettlingFlow
    target: PostgresTarget
    schema: str

    def inline(self, projection: Projection | None = None) -> InlineProjection:
        return InlineProjection(
            self.store,
            projection if projection is not None else domain.todo_sql(mark="%s"),
            registry=domain.registry(),
            schema=self.schema,
        )

    def rows(self, name: str = "todo_list") -> list[tuple[Any, ...]]:
        with self.target.connection() as conn:
            return domain.sql_rows(conn, name)

    def checkpoint(self, name: str = "todo_list") -> int:
        return self.target.checkpoint(name).position

    def seen(self) -> list[int]:
        with self.target.connection() as conn:
            return [row[0] for row in conn.execute("SELECT position FROM seen ORDER BY 1")]


@pytest.fixture(params=["read-schema", "store-schema"])
def setup(request: pytest.FixtureRequest, postgres_schema_url: str) -> Iterator[Setup]:
    """The read model in a schema of its own, or in the store's schema."""
    schema = schema_of(postgres_schema_url)
    if request.param == "read-schema":
        schema += "_read"
    read_url = with_schema(postgres_schema_url, schema)
    store = PostgresStore.from_url(postgres_schema_url)
    target = PostgresTarget.from_url(read_url)
    yield Setup(store, SettlingFlow(domain.make_flow(store)), target, schema)
    target.close()
    store.close()
    if request.param == "read-schema":
        drop_schema(read_url)


def _positions_projection() -> Projection:
    seen = Projection("seen", tables=["seen"])

    @seen.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS seen (position bigint NOT NULL)")

    @seen.on(Created)
    def created(tx: Any, event: Recorded[Created]) -> None:
        tx.execute("INSERT INTO seen VALUES (%s)", (event.position,))

    return seen


def test_a_dispatch_is_in_the_read_model_when_it_returns(setup: Setup) -> None:
    setup.inline().attach()
    result = setup.flow.dispatch(Create("a", "one"))
    assert setup.rows() == [("todo-a", "one", 0, 1)]
    assert setup.checkpoint() == result.position
    setup.flow.dispatch(Rename("a", "two"))
    setup.flow.dispatch(Complete("a"))
    assert setup.rows() == [("todo-a", "two", 1, 3)]


def test_without_a_schema_the_read_model_is_where_a_target_of_the_store_s_url_reads(
    postgres_schema_url: str,
) -> None:
    with (
        PostgresStore.from_url(postgres_schema_url) as store,
        PostgresTarget(postgres_schema_url) as target,
    ):
        flow = SettlingFlow(domain.make_flow(store))
        InlineProjection(store, domain.todo_sql(mark="%s"), registry=domain.registry()).attach()
        result = flow.dispatch(Create("a", "one"))
        assert target.checkpoint("todo_list").position == result.position
        with target.connection() as conn:
            assert domain.sql_rows(conn, "todo_list") == [("todo-a", "one", 0, 1)]


def test_a_failing_handler_fails_the_dispatch_and_writes_nothing(setup: Setup) -> None:
    setup.inline().attach()
    first = setup.flow.dispatch(Create("a", "one"))
    with pytest.raises(HandlerError, match="todo-b") as caught:
        setup.flow.dispatch(Create("b", "poison"))
    assert isinstance(caught.value.__cause__, domain.Poison)
    assert setup.store.stream_version("todo-b") == 0
    assert [e.position for e in setup.store.read_all()] == [first.position]
    assert setup.rows() == [("todo-a", "one", 0, 1)]
    assert setup.checkpoint() == first.position


def test_the_checkpoint_is_the_last_handled_position(setup: Setup) -> None:
    setup.inline().attach()
    handled = setup.flow.dispatch(Create("a", "one"))
    setup.flow.dispatch(Note("a", "not projected"))
    assert setup.checkpoint() == handled.position
    again = setup.flow.dispatch(Rename("a", "two"))
    assert setup.checkpoint() == again.position


def test_attach_catches_up_page_by_page(setup: Setup) -> None:
    for first in range(0, 1200, 400):
        events = [
            NewEvent(event_id=UUID(int=i + 1), type="todo_created", data=f'{{"title": "t{i}"}}')
            for i in range(first, first + 400)
        ]
        setup.store.append(f"todo-{first}", events)
    setup.store.append("todo-x", [NewEvent(event_id=UUID(int=9999), type="todo_noted", data="{}")])
    setup.inline(_positions_projection()).attach()
    created = [e.position for e in setup.store.read_all(types=["todo_created"])]
    assert len(created) == 1200
    assert setup.seen() == created
    assert setup.checkpoint("seen") == created[-1]


def test_detach_then_a_runner_resumes_and_attach_replays_the_rest(setup: Setup) -> None:
    inline = setup.inline()
    inline.attach()
    setup.flow.dispatch(Create("a", "one"))
    inline.detach()
    setup.flow.dispatch(Rename("a", "two"))
    runner = ProjectionRunner(
        setup.store, domain.todo_sql(mark="%s"), target=setup.target, registry=domain.registry()
    )
    runner.run_until_caught_up()
    assert setup.rows() == [("todo-a", "two", 0, 2)]
    setup.flow.dispatch(Complete("a"))
    setup.inline().attach()
    assert setup.rows() == [("todo-a", "two", 1, 3)]  # each event applied once


def test_concurrent_appends_are_each_applied_once(setup: Setup) -> None:
    setup.inline(_positions_projection()).attach()

    def write(worker: int) -> None:
        for i in range(15):
            setup.flow.dispatch(Create(f"{worker}-{i}", "t"))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    positions = [e.position for e in setup.store.read_all()]
    assert len(positions) == 60
    assert setup.seen() == positions
    assert setup.checkpoint("seen") == positions[-1]


def test_attach_while_others_append_misses_nothing_and_doubles_nothing(setup: Setup) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        i = 0
        try:
            while not stop.is_set():
                setup.store.append(
                    f"todo-{worker}-{i}",
                    [
                        NewEvent(
                            event_id=UUID(int=worker << 32 | i),
                            type="todo_created",
                            data='{"title": "t"}',
                        )
                    ],
                )
                i += 1
        except BaseException as exc:
            errors.append(exc)
            raise

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: len(setup.store.read_all()) >= 40)
        setup.inline(_positions_projection()).attach()
        count = len(setup.store.read_all())
        _wait_for(lambda: len(setup.store.read_all()) >= count + 40)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    _wait_for(lambda: setup.store.head() >= max(setup.seen()))
    assert setup.seen() == [e.position for e in setup.store.read_all()]


def test_attach_waits_for_a_plain_append_that_began_before_it(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The append decides to run without a transaction (no hook yet), then is slow to
    # reach the server: attach must wait for it, or its event would be neither caught
    # up nor seen by the hook.
    rows = setup.store._db.rows
    started = threading.Event()

    def slow_rows(statement: bytes, params: Any = None, **options: Any) -> Any:
        if params is not None and params.get("stream_id") == "todo-slow":
            started.set()
            time.sleep(0.3)
        return rows(statement, params, **options)

    monkeypatch.setattr(setup.store._db, "rows", slow_rows)
    slow = NewEvent(event_id=UUID(int=1), type="todo_created", data='{"title": "slow"}')
    writer = threading.Thread(target=setup.store.append, args=("todo-slow", [slow]))
    writer.start()
    assert started.wait(5)
    setup.inline(_positions_projection()).attach()
    writer.join()
    [stored] = setup.store.read_all()
    assert setup.seen() == [stored.position]


def test_hook_records_equal_the_stored_ones_and_other_types_skip_it(setup: Setup) -> None:
    calls: list[list[StoredEvent]] = []

    def hook(tx: psycopg.Connection[Any], records: Sequence[StoredEvent]) -> None:
        assert tx.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        calls.append(list(records))

    setup.store.add_append_hook(hook, types=["b"])
    new = [NewEvent(event_id=UUID(int=i), type=t, data="{}") for i, t in enumerate("abab", 1)]
    setup.store.append("s-1", new[:1])
    setup.store.append("s-1", new[1:])
    stored = setup.store.read_all()
    assert calls == [[stored[1], stored[3]]]
    assert setup.store.remove_append_hook(hook)


def test_async_store_with_async_handlers(postgres_schema_url: str) -> None:
    read_url = with_schema(postgres_schema_url, schema_of(postgres_schema_url) + "_read")
    titles = Projection("titles", tables=["titles"])

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

    async def rows(target: AsyncPostgresTarget) -> list[tuple[Any, ...]]:
        async with target.connection() as conn:
            cursor = await conn.execute("SELECT id, title FROM titles ORDER BY id")
            return await cursor.fetchall()

    async def scenario() -> None:
        store = AsyncPostgresStore.from_url(postgres_schema_url)
        target = AsyncPostgresTarget.from_url(read_url)
        flow = AsyncFlow(store, registry=domain.registry())
        flow.register(domain.Todo, stream_id=domain.stream)
        await flow.dispatch(Create("a", "one"))
        inline = AsyncInlineProjection(
            store, titles, registry=flow.registry, schema=schema_of(read_url)
        )
        await inline.attach()
        assert await rows(target) == [("todo-a", "one")]
        result = await flow.dispatch(Create("b", "two"))
        assert await rows(target) == [("todo-a", "one"), ("todo-b", "two")]
        assert (await target.checkpoint("titles")).position == result.position
        with pytest.raises(HandlerError, match="todo-c"):
            await flow.dispatch(Create("c", "poison"))
        assert await store.stream_version("todo-c") == 0
        await inline.detach()
        await flow.dispatch(Rename("b", "three"))
        runner = AsyncProjectionRunner(store, titles, target=target, registry=flow.registry)
        await runner.run_until_caught_up()
        assert await rows(target) == [("todo-a", "one"), ("todo-b", "three")]
        await target.close()
        await store.close()

    try:
        asyncio.run(scenario())
    finally:
        drop_schema(read_url)


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
