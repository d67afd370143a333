"""A small todo domain and its read models, shared by the read-side tests.

``todo_sql`` (SQLite) and ``todo_dict`` (memory) build the same read model: one row per
todo, plus a count of applied events per todo, which a double-applied event would
inflate. A title of ``"poison"`` makes both projections' handlers fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fabula import Aggregate, Flow, Recorded, decides, event, evolves
from fabula.codec import EventRegistry
from fabula.read import Projection


@event("todo_created")
@dataclass(frozen=True)
class Created:
    title: str


@event("todo_renamed")
@dataclass(frozen=True)
class Renamed:
    title: str


@event("todo_completed")
@dataclass(frozen=True)
class Completed:
    pass


@event("todo_noted")
@dataclass(frozen=True)
class Noted:
    """An event no projection here handles."""

    text: str


@dataclass(frozen=True)
class Create:
    todo_id: str
    title: str


@dataclass(frozen=True)
class Rename:
    todo_id: str
    title: str


@dataclass(frozen=True)
class Complete:
    todo_id: str


@dataclass(frozen=True)
class Note:
    todo_id: str
    text: str


class Todo(Aggregate, name="todo"):
    title: str = ""
    done: bool = False

    @decides
    def create(self, command: Create) -> list[Created]:
        return [Created(command.title)]

    @decides
    def rename(self, command: Rename) -> list[Renamed]:
        return [Renamed(command.title)]

    @decides
    def complete(self, command: Complete) -> list[Completed]:
        return [Completed()]

    @decides
    def note(self, command: Note) -> list[Noted]:
        return [Noted(command.text)]

    @evolves
    def created(self, event: Created) -> None:
        self.title = event.title

    @evolves
    def renamed(self, event: Renamed) -> None:
        self.title = event.title

    @evolves
    def completed(self, event: Completed) -> None:
        self.done = True

    @evolves
    def noted(self, event: Noted) -> None:
        pass


def stream(command: Create | Rename | Complete | Note) -> str:
    return f"todo-{command.todo_id}"


def registry() -> EventRegistry:
    return EventRegistry([Created, Renamed, Completed, Noted])


def make_flow(store: Any) -> Flow:
    flow = Flow(store, registry=registry())
    flow.register(Todo, stream_id=stream)
    return flow


class Poison(Exception):
    pass


POISON_TITLES = {"poison"}
"""Titles the handlers fail on; a test "fixes the bug" by emptying it (monkeypatch)."""


def todo_sql(name: str = "todo_list", *, batch_size: int = 200, mark: str = "?") -> Projection:
    """The SQL read model; ``mark`` is the driver's placeholder (``?`` sqlite3, ``%s`` psycopg)."""
    projection = Projection(name, tables=[name], batch_size=batch_size)
    table = name  # each projection owns a table named after it

    @projection.setup
    def create_tables(tx: Any) -> None:
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
            "done INTEGER NOT NULL DEFAULT 0, applied INTEGER NOT NULL DEFAULT 1)"
        )

    @projection.on(Created)
    def created(tx: Any, event: Recorded[Created]) -> None:
        if event.event.title in POISON_TITLES:
            raise Poison(event.stream_id)
        tx.execute(
            f"INSERT INTO {table} (id, title) VALUES ({mark}, {mark})",
            (event.stream_id, event.event.title),
        )

    @projection.on(Renamed)
    def renamed(tx: Any, event: Recorded[Renamed]) -> None:
        if event.event.title in POISON_TITLES:
            raise Poison(event.stream_id)
        tx.execute(
            f"UPDATE {table} SET title = {mark}, applied = applied + 1 WHERE id = {mark}",
            (event.event.title, event.stream_id),
        )

    @projection.on(Completed)
    def completed(tx: Any, event: Recorded[Completed]) -> None:
        tx.execute(
            f"UPDATE {table} SET done = 1, applied = applied + 1 WHERE id = {mark}",
            (event.stream_id,),
        )

    return projection


def sql_rows(conn: Any, name: str = "todo_list") -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = conn.execute(
        f"SELECT id, title, done, applied FROM {name} ORDER BY id"
    ).fetchall()
    return rows


def todo_dict(name: str = "todo_list", *, batch_size: int = 200) -> Projection:
    projection = Projection(name, batch_size=batch_size)

    @projection.on(Created)
    def created(model: dict[str, Any], event: Recorded[Created]) -> None:
        if event.event.title in POISON_TITLES:
            raise Poison(event.stream_id)
        model[event.stream_id] = {"title": event.event.title, "done": False, "applied": 1}

    @projection.on(Renamed)
    def renamed(model: dict[str, Any], event: Recorded[Renamed]) -> None:
        if event.event.title in POISON_TITLES:
            raise Poison(event.stream_id)
        row = model[event.stream_id]
        row["title"] = event.event.title
        row["applied"] += 1

    @projection.on(Completed)
    def completed(model: dict[str, Any], event: Recorded[Completed]) -> None:
        row = model[event.stream_id]
        row["done"] = True
        row["applied"] += 1

    return projection


def dict_rows(model: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (key, row["title"], int(row["done"]), row["applied"]) for key, row in sorted(model.items())
    ]


def batched(projection: Projection, calls: list[int]) -> Projection:
    """The same read model, with one batch handler (``on_batch``) for renames and completions.

    The batch handler applies each of its records with the original handler; ``calls``
    collects the size of each call.
    """
    copy = Projection(projection.name, tables=projection.tables, batch_size=projection.batch_size)
    for hook in projection.setup_hooks:
        copy.setup(hook)
    copy.on(Created)(projection.entry(Created).handler)

    @copy.on_batch(Renamed, Completed)
    def changed(tx: Any, records: Sequence[Recorded[Renamed | Completed]]) -> None:
        calls.append(len(records))
        for recorded in records:
            projection.entry(type(recorded.event)).handler(tx, recorded)

    return copy
