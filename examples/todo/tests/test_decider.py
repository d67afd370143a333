"""Every todo command, on both states, with the seed's exact rules (seed 000, section A)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from examples.todo import (
    AlreadyCreated,
    CancelReminder,
    Completed,
    Created,
    CreateTodo,
    Description,
    DescriptionUpdated,
    MarkCompleted,
    NotInitialized,
    Reminder,
    ReminderUpdated,
    ResetCompleted,
    SetReminder,
    Status,
    Todo,
    TodoCommand,
    ToggleCompletion,
    Uncompleted,
    UpdateDescription,
    todo,
)
from fabula.testing import DeciderSpec

ID = "t1"
TEXT = Description("Buy milk")
LATER = Reminder(datetime(2100, 1, 1, tzinfo=UTC))
LATEST = Reminder(datetime(2200, 1, 1, tzinfo=UTC))

spec = DeciderSpec(todo)
created = spec.given(Created(TEXT))
completed = created.given(Completed())
reminded = created.given(ReminderUpdated(LATER))


def test_create() -> None:
    spec.when(CreateTodo(todo_id=ID, description=TEXT)).then(Created(TEXT)).then_state(
        Todo(description=TEXT, reminder=None, status=Status.NOT_COMPLETED)
    )


def test_create_with_a_reminder() -> None:
    spec.when(CreateTodo(todo_id=ID, description=TEXT, reminder=LATER)).then(
        Created(TEXT), ReminderUpdated(LATER)
    ).then_state(Todo(description=TEXT, reminder=LATER))


def test_create_twice_is_refused() -> None:
    created.when(CreateTodo(todo_id=ID, description=TEXT)).then_raises(
        AlreadyCreated, code="already_created", message="attempt to create when already created"
    )


@pytest.mark.parametrize(
    "command",
    [
        UpdateDescription(todo_id=ID, new_description=TEXT),
        SetReminder(todo_id=ID, new_reminder=LATER),
        CancelReminder(todo_id=ID),
        ToggleCompletion(todo_id=ID),
        MarkCompleted(todo_id=ID),
        ResetCompleted(todo_id=ID),
    ],
    ids=lambda command: type(command).__name__,
)
def test_every_other_command_needs_a_created_todo(command: TodoCommand) -> None:
    spec.when(command).then_raises(
        NotInitialized, code="not_initialized", message="attempt to execute command before creation"
    )


def test_update_description() -> None:
    new = Description("Buy oat milk")
    created.when(UpdateDescription(todo_id=ID, new_description=new)).then(
        DescriptionUpdated(new)
    ).then_state(Todo(description=new))
    created.when(UpdateDescription(todo_id=ID, new_description=TEXT)).then_nothing()


def test_set_reminder() -> None:
    created.when(SetReminder(todo_id=ID, new_reminder=LATER)).then(ReminderUpdated(LATER))
    reminded.when(SetReminder(todo_id=ID, new_reminder=LATER)).then_nothing()
    reminded.when(SetReminder(todo_id=ID, new_reminder=LATEST)).then(
        ReminderUpdated(LATEST)
    ).then_state(Todo(description=TEXT, reminder=LATEST))


def test_cancel_reminder() -> None:
    reminded.when(CancelReminder(todo_id=ID)).then(ReminderUpdated(None)).then_state(
        Todo(description=TEXT, reminder=None)
    )
    created.when(CancelReminder(todo_id=ID)).then_nothing()


def test_toggle_completion_always_flips() -> None:
    created.when(ToggleCompletion(todo_id=ID)).then(Completed()).then_state(
        Todo(description=TEXT, status=Status.COMPLETED)
    )
    completed.when(ToggleCompletion(todo_id=ID)).then(Uncompleted()).then_state(
        Todo(description=TEXT, status=Status.NOT_COMPLETED)
    )


def test_mark_completed() -> None:
    created.when(MarkCompleted(todo_id=ID)).then(Completed())
    completed.when(MarkCompleted(todo_id=ID)).then_nothing()


def test_reset_completed() -> None:
    completed.when(ResetCompleted(todo_id=ID)).then(Uncompleted())
    created.when(ResetCompleted(todo_id=ID)).then_nothing()
    completed.given(Uncompleted()).when(ResetCompleted(todo_id=ID)).then_nothing()
