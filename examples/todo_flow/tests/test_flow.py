"""The seed's flow on every backend: dispatch, commit, then the listeners (seed 002, section B)."""

from __future__ import annotations

import logging

import pytest

from examples.todo_flow import (
    CreateTodo,
    MarkAsCompleted,
    Todo,
    TodoCompletedEvent,
    TodoCreatedEvent,
    TodoDatabase,
    TodoNotFound,
    TodoRow,
    build_flow,
    main,
    stream_id,
)
from fabula import EventStore


def test_the_seeds_two_dispatches(
    fabula_store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    database = TodoDatabase()
    flow = build_flow(fabula_store, database)
    with caplog.at_level(logging.INFO, logger="examples.todo_flow"):
        created = flow.dispatch(
            CreateTodo(id="todo1", description="Create a todo"), metadata={"user": "ann"}
        )
    assert created.version == 1
    assert [r.event for r in created.events] == [TodoCreatedEvent("todo1", "Create a todo")]
    assert created.events[0].metadata == {"user": "ann"}
    assert created.events[0].type == "TodoCreatedEvent"
    assert database.todos == {"todo1": TodoRow("Create a todo", completed=False)}
    assert "todo todo1 created at todo-todo1 v1: 'Create a todo'" in caplog.messages

    completed = flow.dispatch(MarkAsCompleted(id="todo1"))
    assert completed.version == 2
    assert completed.position is not None
    assert created.position is not None
    assert completed.position > created.position
    assert [r.event for r in completed.events] == [TodoCompletedEvent(completed=True)]
    assert database.todos == {"todo1": TodoRow("Create a todo", completed=True)}

    loaded = flow.repository(Todo).load(stream_id("todo1"))
    assert (loaded.version, loaded.state) == (2, Todo(description="Create a todo", completed=True))


def test_completing_twice_stores_a_second_event(fabula_memory_store: EventStore) -> None:
    flow = build_flow(fabula_memory_store)
    flow.dispatch(CreateTodo(id="todo1", description="Create a todo"))
    flow.dispatch(MarkAsCompleted(id="todo1"))
    again = flow.dispatch(MarkAsCompleted(id="todo1"))
    assert again.version == 3
    assert [e.type for e in fabula_memory_store.read_stream("todo-todo1")] == [
        "TodoCreatedEvent",
        "TodoCompletedEvent",
        "TodoCompletedEvent",
    ]


def test_a_missing_todo_is_refused_and_nothing_is_written(fabula_memory_store: EventStore) -> None:
    database = TodoDatabase()
    flow = build_flow(fabula_memory_store, database)
    with pytest.raises(TodoNotFound):
        flow.dispatch(MarkAsCompleted(id="nope"))
    assert fabula_memory_store.head() == 0
    assert database.todos == {}


def test_main_runs_the_seed_against_a_store_url(
    fabula_sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([fabula_sqlite_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "todo-todo1 v1 @1: TodoCreatedEvent(id='todo1', description='Create a todo')"
    assert out[1] == "todo-todo1 v2 @2: TodoCompletedEvent(completed=True)"
    assert out[2] == "state at version 2: Todo(description='Create a todo', completed=True)"
    assert out[3] == "database: {'todo1': TodoRow(description='Create a todo', completed=True)}"
