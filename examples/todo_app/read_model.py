"""The ``todo_list`` read model behind ``allTodos``: one row per created todo.

It follows the decider's evolve rules: ``Created`` makes the row only for a todo that has
none; every other event changes only an existing row. Every event sets the row's
version, so the list shows the same version as the stream. Todos are listed in creation
order, a page at a time, keyed by the position of their ``Created`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from examples._sql import Sql, SqlReadModel, position_cursor
from examples.todo import (
    TODO_STREAM,
    Completed,
    Created,
    DescriptionUpdated,
    ReminderUpdated,
    Uncompleted,
)
from fabula import Recorded
from fabula.read import Page, encode_cursor, paginate

__all__ = ["TodoRow", "count_todos", "page_of_todos", "todo_list"]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS todo_list ("
    " todo_id TEXT PRIMARY KEY, position BIGINT NOT NULL, version BIGINT NOT NULL,"
    " description TEXT NOT NULL, reminder TEXT, completed INTEGER NOT NULL)"
]
_PREFIX = f"{TODO_STREAM}-"
_SCOPE = "todo_list"


@dataclass(frozen=True, slots=True)
class TodoRow:
    """One todo in the list."""

    todo_id: str
    position: int
    version: int
    description: str
    reminder: datetime | None
    completed: bool

    @property
    def cursor(self) -> str:
        """The cursor of the page that starts after this todo."""
        return encode_cursor((self.position,), scope=_SCOPE)


def _todo_id(recorded: Recorded[Any]) -> str:
    return recorded.stream_id.removeprefix(_PREFIX)


def _versioned(recorded: Recorded[Any], change: str = "", *params: object) -> list[Sql]:
    assignments = f"version = ?{', ' if change else ''}{change}"
    return [
        Sql(
            f"UPDATE todo_list SET {assignments} WHERE todo_id = ?",
            (recorded.version, *params, _todo_id(recorded)),
        )
    ]


def created(recorded: Recorded[Created]) -> list[Sql]:
    """A row for a new todo (none if it exists: a second ``Created`` is ignored)."""
    return [
        Sql(
            "INSERT INTO todo_list (todo_id, position, version, description, completed)"
            " VALUES (?, ?, ?, ?, 0) ON CONFLICT (todo_id) DO NOTHING",
            (
                _todo_id(recorded),
                recorded.position,
                recorded.version,
                recorded.event.initial_description.text,
            ),
        ),
        *_versioned(recorded),
    ]


def description_updated(recorded: Recorded[DescriptionUpdated]) -> list[Sql]:
    """The new description."""
    return _versioned(recorded, "description = ?", recorded.event.new_description.text)


def reminder_updated(recorded: Recorded[ReminderUpdated]) -> list[Sql]:
    """The new reminder, or none."""
    reminder = recorded.event.new_reminder
    return _versioned(recorded, "reminder = ?", reminder.time.isoformat() if reminder else None)


def completed(recorded: Recorded[Completed]) -> list[Sql]:
    """Done."""
    return _versioned(recorded, "completed = 1")


def uncompleted(recorded: Recorded[Uncompleted]) -> list[Sql]:
    """Not done."""
    return _versioned(recorded, "completed = 0")


def todo_list() -> SqlReadModel:
    """Return a new (not yet started) ``todo_list`` read model."""
    return SqlReadModel(
        "todo_list",
        schema=SCHEMA,
        tables=["todo_list"],
        handlers={
            Created: created,
            DescriptionUpdated: description_updated,
            ReminderUpdated: reminder_updated,
            Completed: completed,
            Uncompleted: uncompleted,
        },
    )


async def count_todos(model: SqlReadModel) -> int:
    """Return how many todos the list holds."""
    row = await model.fetch_one("SELECT COUNT(*) FROM todo_list")
    return int(row[0]) if row is not None else 0


async def page_of_todos(model: SqlReadModel, *, first: int, after: str | None) -> Page[TodoRow]:
    """Return ``first`` todos in creation order, after the cursor ``after``.

    Raises:
        InvalidCursor: ``after`` is not a cursor this query handed out.
    """
    position = position_cursor(after, scope=_SCOPE)
    rows = await model.fetch_all(
        "SELECT todo_id, position, version, description, reminder, completed FROM todo_list"
        " WHERE position > ? ORDER BY position LIMIT ?",
        (position if position is not None else 0, first + 1),
    )
    todos = [
        TodoRow(
            todo_id=row[0],
            position=row[1],
            version=row[2],
            description=row[3],
            reminder=datetime.fromisoformat(row[4]) if row[4] is not None else None,
            completed=bool(row[5]),
        )
        for row in rows
    ]
    return paginate(todos, limit=first, key=lambda todo: (todo.position,), scope=_SCOPE)
