"""Stream ids and the preconditions the app uses (seed 000, section A)."""

from __future__ import annotations

from examples.todo import (
    TODO_STREAM,
    CreateTodo,
    Description,
    MarkCompleted,
    TodoMetadata,
    precondition_for,
    stream_id,
    stream_of,
)
from fabula import NO_STREAM, STREAM_EXISTS, ExpectedVersion
from fabula.store import category_of


def test_a_todo_lives_in_its_own_stream_of_the_todo_category() -> None:
    assert TODO_STREAM == "todo"
    assert stream_id("42") == "todo-42"
    assert category_of(stream_id("a-b")) == TODO_STREAM
    assert stream_of(MarkCompleted(todo_id="7")) == "todo-7"


def test_preconditions() -> None:
    create = CreateTodo(todo_id="1", description=Description("x"))
    assert precondition_for(create) == NO_STREAM
    assert precondition_for(create, 3) == NO_STREAM
    assert precondition_for(MarkCompleted(todo_id="1"), 3) == ExpectedVersion(3)
    assert precondition_for(MarkCompleted(todo_id="1")) == STREAM_EXISTS


def test_metadata_round_trips_through_json() -> None:
    metadata = TodoMetadata(initiated_by="ann")
    assert metadata.to_json() == {"initiated_by": "ann"}
    assert TodoMetadata.from_json(metadata.to_json()) == metadata
    assert TodoMetadata.from_json({}) == TodoMetadata("")
