"""The Eventuality Todo aggregate: no invariants but a missing todo (seed 002, section B)."""

from __future__ import annotations

from examples.todo_flow import (
    CreateTodo,
    MarkAsCompleted,
    Todo,
    TodoCompletedEvent,
    TodoCreatedEvent,
    TodoNotFound,
)
from fabula.testing import DeciderSpec

spec = DeciderSpec(Todo)
created = spec.given(TodoCreatedEvent(id="todo1", description="Create a todo"))


def test_create() -> None:
    spec.when(CreateTodo(id="todo1", description="Create a todo")).then(
        TodoCreatedEvent(id="todo1", description="Create a todo")
    ).then_state(Todo(description="Create a todo", completed=False))


def test_complete() -> None:
    created.when(MarkAsCompleted(id="todo1")).then(TodoCompletedEvent(completed=True)).then_state(
        Todo(description="Create a todo", completed=True)
    )


def test_completing_twice_emits_a_second_event() -> None:
    created.given(TodoCompletedEvent()).when(MarkAsCompleted(id="todo1")).then(
        TodoCompletedEvent(completed=True)
    )


def test_completing_a_missing_todo_is_refused() -> None:
    spec.when(MarkAsCompleted(id="nope")).then_raises(TodoNotFound, code="todo_not_found")
