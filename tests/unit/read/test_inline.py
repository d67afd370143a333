"""Inline projections on SQLite: the read model commits with the append, or neither does."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from fabula import CodecError, ConfigurationError, Flow, Recorded
from fabula.read import (
    HandlerError,
    InlineProjection,
    Projection,
    ProjectionRunner,
    ProjectionSet,
    Query,
    QueryBus,
)
from fabula.read.sqlite import SqliteTarget
from fabula.store import NewEvent, StreamAppend
from fabula.store.memory import MemoryStore
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore

from . import domain
from .domain import Complete, Create, Created, Note, Rename


@dataclass
class Setup:
    path: Path
    store: SqliteStore
    flow: Flow
    projection: Projection

    def inline(self, projection: Projection | None = None) -> InlineProjection:
        return InlineProjection(
            self.store,
            projection if projection is not None else self.projection,
            registry=self.flow.registry,
        )

    def rows(self, name: str = "todo_list") -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as conn:
            return domain.sql_rows(conn, name)

    def checkpoint(self, name: str = "todo_list") -> int | None:
        with sqlite3.connect(self.path) as conn:
            row = conn.execute(
                "SELECT position FROM fabula_checkpoints WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else int(row[0])


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    store = SqliteStore(tmp_path / "app.db")
    yield Setup(tmp_path / "app.db", store, domain.make_flow(store), domain.todo_sql())
    store.close()


def test_a_dispatch_is_in_the_read_model_when_it_returns(setup: Setup) -> None:
    setup.inline().attach()
    result = setup.flow.dispatch(Create("a", "water the plants"))
    assert setup.rows() == [("todo-a", "water the plants", 0, 1)]
    assert setup.checkpoint() == result.position
    setup.flow.dispatch(Rename("a", "water the roses"))
    setup.flow.dispatch(Complete("a"))
    assert setup.rows() == [("todo-a", "water the roses", 1, 3)]


def test_a_failing_handler_fails_the_dispatch_and_writes_nothing(setup: Setup) -> None:
    setup.inline().attach()
    first = setup.flow.dispatch(Create("a", "one"))
    with pytest.raises(HandlerError, match="todo_list") as caught:
        setup.flow.dispatch(Create("b", "poison"))
    assert isinstance(caught.value.__cause__, domain.Poison)
    assert (caught.value.name, caught.value.stream_id) == ("todo_list", "todo-b")
    assert setup.store.head() == first.position
    assert setup.store.stream_version("todo-b") == 0
    assert setup.rows() == [("todo-a", "one", 0, 1)]
    assert setup.checkpoint() == first.position
    # The store goes on: the next append applies as usual.
    second = setup.flow.dispatch(Create("c", "two"))
    assert setup.rows() == [("todo-a", "one", 0, 1), ("todo-c", "two", 0, 1)]
    assert setup.checkpoint() == second.position


def test_a_batch_handler_gets_an_appends_run_of_events_in_one_call(setup: Setup) -> None:
    calls: list[int] = []
    setup.inline(domain.batched(setup.projection, calls)).attach()
    setup.flow.dispatch(Create("a", "one"))
    events = [
        NewEvent(event_id=_uuid(1), type="todo_renamed", data='{"title": "two"}'),
        NewEvent(event_id=_uuid(2), type="todo_completed", data="{}"),
        NewEvent(event_id=_uuid(3), type="todo_renamed", data='{"title": "three"}'),
    ]
    result = setup.store.append("todo-a", events)
    assert calls == [3]
    assert setup.rows() == [("todo-a", "three", 1, 4)]
    assert setup.checkpoint() == result.positions[-1]


def test_append_many_applies_every_streams_events_or_none(setup: Any) -> None:
    """Shared with the PostgreSQL suite (``setup``: store, inline(), rows(), checkpoint())."""
    setup.inline().attach()

    def event(number: int, kind: str, title: str) -> NewEvent:
        data = f'{{"title": "{title}"}}'
        return NewEvent(event_id=UUID(int=1000 + number), type=kind, data=data)

    results = setup.store.append_many(
        [
            StreamAppend("todo-a", [event(1, "todo_created", "one")]),
            StreamAppend(
                "todo-b", [event(2, "todo_created", "two"), event(3, "todo_renamed", "2")]
            ),
        ]
    )
    rows = [("todo-a", "one", 0, 1), ("todo-b", "2", 0, 2)]
    assert setup.rows() == rows
    assert setup.checkpoint() == results[-1].positions[-1]
    with pytest.raises(HandlerError):
        setup.store.append_many(
            [
                StreamAppend("todo-c", [event(4, "todo_created", "fine")]),
                StreamAppend("todo-d", [event(5, "todo_created", "poison")]),
            ]
        )
    assert setup.store.stream_version("todo-c") == 0
    assert setup.rows() == rows
    assert setup.checkpoint() == results[-1].positions[-1]


def test_the_checkpoint_is_the_last_handled_position(setup: Setup) -> None:
    setup.inline().attach()
    handled = setup.flow.dispatch(Create("a", "one"))
    unhandled = setup.flow.dispatch(Note("a", "not projected"))
    assert (unhandled.position or 0) > (handled.position or 0) > 0
    assert setup.checkpoint() == handled.position
    again = setup.flow.dispatch(Rename("a", "two"))
    assert setup.checkpoint() == again.position


def test_attach_runs_setup_and_catches_up_with_stored_events(setup: Setup) -> None:
    setup.flow.dispatch(Create("a", "one"))
    setup.flow.dispatch(Note("a", "not projected"))
    last = setup.flow.dispatch(Rename("a", "two"))
    setup.flow.dispatch(Note("a", "after the last handled one"))
    with sqlite3.connect(setup.path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "todo_list" not in tables
    inline = setup.inline()
    inline.attach()
    assert inline.attached
    assert setup.rows() == [("todo-a", "two", 0, 2)]
    assert setup.checkpoint() == last.position


def test_catch_up_reads_the_backlog_page_by_page(setup: Setup) -> None:
    registry = setup.flow.registry
    for first in range(0, 1200, 400):
        events = [
            NewEvent(event_id=_uuid(i), type="todo_created", data=f'{{"title": "t{i}"}}')
            for i in range(first, first + 400)
        ]
        setup.store.append(f"todo-{first}", events)
    seen = _positions_projection()
    InlineProjection(setup.store, seen, registry=registry).attach()
    with sqlite3.connect(setup.path) as conn:
        positions = [row[0] for row in conn.execute("SELECT position FROM seen ORDER BY 1")]
    assert positions == list(range(1, 1201))


def test_a_failing_catch_up_attaches_nothing(setup: Setup) -> None:
    setup.flow.dispatch(Create("a", "one"))
    setup.flow.dispatch(Create("b", "poison"))
    inline = setup.inline()
    with pytest.raises(HandlerError, match="todo-b"):
        inline.attach()
    assert not inline.attached
    setup.flow.dispatch(Create("c", "three"))  # no hook: nothing applied, nothing fails
    with sqlite3.connect(setup.path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert not tables & {"todo_list", "fabula_checkpoints"}  # setup rolled back too


def test_a_failing_setup_is_a_configuration_error(setup: Setup) -> None:
    broken = Projection("broken")

    @broken.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE broken (")

    @broken.on(Created)
    def created(tx: Any, event: Recorded[Created]) -> None:
        pass

    inline = InlineProjection(setup.store, broken, registry=setup.flow.registry)
    with pytest.raises(ConfigurationError, match="'broken': its setup failed"):
        inline.attach()
    assert not inline.attached
    setup.flow.dispatch(Create("a", "one"))


def test_an_event_that_does_not_decode_fails_the_append(setup: Setup) -> None:
    setup.inline().attach()
    with pytest.raises(CodecError):
        setup.store.append("todo-x", [NewEvent(event_id=_uuid(1), type="todo_created", data="{}")])
    assert setup.store.head() == 0


def test_detach_then_a_runner_resumes_exactly(setup: Setup) -> None:
    inline = setup.inline()
    inline.attach()
    setup.flow.dispatch(Create("a", "one"))
    inline.detach()
    assert not inline.attached
    setup.flow.dispatch(Rename("a", "two"))
    setup.flow.dispatch(Create("b", "three"))
    assert setup.rows() == [("todo-a", "one", 0, 1)]
    target = SqliteTarget(f"sqlite:///{setup.path}")
    runner = ProjectionRunner(
        setup.store, setup.projection, target=target, registry=setup.flow.registry
    )
    status = runner.run_until_caught_up()
    assert status.position == setup.store.head()
    assert setup.rows() == [("todo-a", "two", 0, 2), ("todo-b", "three", 0, 1)]
    target.close()


def test_attach_after_a_runner_replays_only_the_rest(setup: Setup) -> None:
    target = SqliteTarget(f"sqlite:///{setup.path}")
    runner = ProjectionRunner(
        setup.store, setup.projection, target=target, registry=setup.flow.registry
    )
    setup.flow.dispatch(Create("a", "one"))
    runner.run_until_caught_up()
    setup.flow.dispatch(Rename("a", "two"))
    setup.inline().attach()
    setup.flow.dispatch(Complete("a"))
    assert setup.rows() == [("todo-a", "two", 1, 3)]  # each event applied once
    status = ProjectionSet(setup.store, target, consumers=[setup.projection]).status()[0]
    assert status.position == setup.store.head()
    target.close()


def test_appends_of_other_types_do_not_touch_the_checkpoint(setup: Setup) -> None:
    setup.inline().attach()
    setup.flow.dispatch(Note("a", "one"))
    assert setup.checkpoint() == 0  # created by attach, never moved


def test_appends_from_many_threads_are_each_applied_once(setup: Setup) -> None:
    seen = _positions_projection()
    InlineProjection(setup.store, seen, registry=setup.flow.registry).attach()

    def write(worker: int) -> None:
        for i in range(20):
            setup.flow.dispatch(Create(f"{worker}-{i}", "t"))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sqlite3.connect(setup.path) as conn:
        positions = [row[0] for row in conn.execute("SELECT position FROM seen ORDER BY 1")]
    assert positions == [e.position for e in setup.store.read_all()]
    assert setup.checkpoint("seen") == setup.store.head()


def test_attach_while_other_threads_append_misses_nothing(setup: Setup) -> None:
    stop = threading.Event()

    def write(worker: int) -> None:
        i = 0
        while not stop.is_set():
            setup.flow.dispatch(Create(f"{worker}-{i}", "t"))
            i += 1

    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    try:
        while setup.store.head() < 30:
            stop.wait(0.01)
        InlineProjection(
            setup.store, _positions_projection(), registry=setup.flow.registry
        ).attach()
        head = setup.store.head()
        while setup.store.head() < head + 30:
            stop.wait(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    with sqlite3.connect(setup.path) as conn:
        positions = [row[0] for row in conn.execute("SELECT position FROM seen ORDER BY 1")]
    assert positions == [e.position for e in setup.store.read_all()]


def test_an_inline_projection_is_a_consistency_source(setup: Setup) -> None:
    inline = setup.inline()

    @dataclass(frozen=True)
    class Titles(Query[list[str]]):
        pass

    bus = QueryBus()
    bus.register(Titles, lambda query: [row[1] for row in setup.rows()], consistency=inline)
    with pytest.raises(ConfigurationError, match="not attached"):
        bus.ask(Titles(), after=1)
    inline.attach()
    result = setup.flow.dispatch(Create("a", "one"))
    assert bus.ask(Titles(), after=result.position) == ["one"]


def test_the_store_needs_a_database_and_sqlite_takes_no_schema(setup: Setup) -> None:
    with pytest.raises(ConfigurationError, match="SqliteStore or PostgresStore, not MemoryStore"):
        InlineProjection(MemoryStore(), setup.projection)  # type: ignore[arg-type]
    async_store = AsyncSqliteStore(":memory:")
    with pytest.raises(ConfigurationError, match="not AsyncSqliteStore"):
        InlineProjection(async_store, setup.projection)  # type: ignore[arg-type]
    asyncio.run(async_store.close())
    with pytest.raises(ConfigurationError, match="schema= is for PostgreSQL"):
        InlineProjection(setup.store, setup.projection, schema="read")


def test_attach_twice_is_one_hook_and_repr_says_its_state(setup: Setup) -> None:
    inline = setup.inline()
    assert repr(inline) == "<InlineProjection 'todo_list' detached>"
    inline.attach()
    inline.attach()
    assert repr(inline) == "<InlineProjection 'todo_list' attached>"
    setup.flow.dispatch(Create("a", "one"))
    assert setup.rows() == [("todo-a", "one", 0, 1)]


def _positions_projection() -> Projection:
    seen = Projection("seen", tables=["seen"])

    @seen.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS seen (position INTEGER NOT NULL)")

    @seen.on(Created)
    def created(tx: Any, event: Recorded[Created]) -> None:
        tx.execute("INSERT INTO seen VALUES (?)", (event.position,))

    return seen


def _uuid(n: int) -> UUID:
    return UUID(int=n + 1)


def test_the_docs_example_prints_what_the_page_says(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[3] / "docs" / "projections.md").read_text()
    code = re.search(r"<!-- inline example -->\s*```python\n(.*?)```", page, re.DOTALL)
    assert code
    printed = re.search(r"It prints:\s*```\n(.*?)```", page[code.end() :], re.DOTALL)
    assert printed
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed.group(1)
