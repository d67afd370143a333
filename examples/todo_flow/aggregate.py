"""The Eventuality ``Todo`` aggregate, class style (seed 002).

Rules (the seed's, with fabula's choice where the seed's versions disagree):
1. No invariants: creating adds the todo, and completing a completed todo emits a second
   ``TodoCompletedEvent``.
2. Completing a todo that was never created is refused with ``TodoNotFound`` (the seed's
   "qubits" version rejects; version 0.3.0 resolved ``null`` and did nothing, silently).
"""

from __future__ import annotations

from examples.todo_flow.commands import CreateTodo, MarkAsCompleted
from examples.todo_flow.events import TodoCompletedEvent, TodoCreatedEvent
from fabula import Aggregate, DomainError, decides, evolves

__all__ = ["STREAM_PREFIX", "Todo", "TodoNotFound", "stream_id"]

STREAM_PREFIX = "todo-"
"""Each todo is the stream ``todo-<id>``."""


def stream_id(todo_id: str) -> str:
    """Return the stream id of a todo: ``todo-<id>``."""
    return f"{STREAM_PREFIX}{todo_id}"


class TodoNotFound(DomainError):
    """A command named a todo that was never created."""

    code = "todo_not_found"
    message = "there is no todo with this id"


class Todo(Aggregate, name="Todo"):
    """A todo: its description (``None`` until created) and whether it is completed."""

    description: str | None = None
    completed: bool = False

    @decides
    def add(self, command: CreateTodo) -> list[TodoCreatedEvent]:
        """The seed's ``TodoRepository.add(attrs)``."""
        return [TodoCreatedEvent(id=command.id, description=command.description)]

    @decides
    def complete(self, command: MarkAsCompleted) -> list[TodoCompletedEvent]:
        """The seed's ``todo.complete()``."""
        if self.description is None:
            raise TodoNotFound(params={"id": command.id})
        return [TodoCompletedEvent(completed=True)]

    @evolves
    def created(self, event: TodoCreatedEvent) -> None:
        """Take the description."""
        self.description = event.description

    @evolves
    def was_completed(self, event: TodoCompletedEvent) -> None:
        """Take the completion flag."""
        self.completed = event.completed
