"""After-commit listeners of the todo flow (seed 002).

The seed registers two listeners on ``TodoCreatedEvent`` ("update DB" and "log stuff") and
one on ``TodoCompletedEvent`` ("more stuff to be done"). Here the database is an
in-memory dict of todos, and the extra listener marks the todo done in it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from examples.todo_flow.aggregate import STREAM_PREFIX
from examples.todo_flow.events import TodoCompletedEvent, TodoCreatedEvent
from fabula import Recorded

__all__ = ["TodoDatabase", "TodoRow", "log_stuff"]

logger = logging.getLogger("examples.todo_flow")


@dataclass(slots=True)
class TodoRow:
    """One todo as the read side stores it."""

    description: str
    completed: bool = False


@dataclass(slots=True)
class TodoDatabase:
    """The "DB" the seed's listener updates: todos by id, in memory."""

    todos: dict[str, TodoRow] = field(default_factory=dict)

    def update_db(self, recorded: Recorded[TodoCreatedEvent]) -> None:
        """On ``TodoCreatedEvent``: insert the todo."""
        self.todos[recorded.event.id] = TodoRow(recorded.event.description)

    def mark_completed(self, recorded: Recorded[TodoCompletedEvent]) -> None:
        """On ``TodoCompletedEvent``: mark the todo of the event's stream completed."""
        todo_id = recorded.stream_id.removeprefix(STREAM_PREFIX)
        self.todos[todo_id].completed = recorded.event.completed


def log_stuff(recorded: Recorded[TodoCreatedEvent]) -> None:
    """On ``TodoCreatedEvent``: log it."""
    logger.info(
        "todo %s created at %s v%d: %r",
        recorded.event.id,
        recorded.stream_id,
        recorded.version,
        recorded.event.description,
    )
