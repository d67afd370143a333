"""The todo decider keeps the decider laws for any history and command (property-based)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from examples.todo import (
    CancelReminder,
    Completed,
    Created,
    CreateTodo,
    Description,
    DescriptionUpdated,
    MarkCompleted,
    Reminder,
    ReminderUpdated,
    ResetCompleted,
    SetReminder,
    TodoCommand,
    TodoEvent,
    ToggleCompletion,
    Uncompleted,
    UpdateDescription,
    todo,
)
from fabula.testing import assert_replay_consistent

descriptions = st.sampled_from(["a", "b", "Buy milk"]).map(Description)
reminders = st.integers(0, 3).map(
    lambda days: Reminder(datetime(2100, 1, 1, tzinfo=UTC) + timedelta(days=days))
)
events: st.SearchStrategy[TodoEvent] = st.one_of(
    st.builds(Created, descriptions),
    st.builds(DescriptionUpdated, descriptions),
    st.builds(ReminderUpdated, st.none() | reminders),
    st.just(Completed()),
    st.just(Uncompleted()),
)
commands: st.SearchStrategy[TodoCommand] = st.one_of(
    st.builds(
        CreateTodo, todo_id=st.just("t"), description=descriptions, reminder=st.none() | reminders
    ),
    st.builds(UpdateDescription, todo_id=st.just("t"), new_description=descriptions),
    st.builds(SetReminder, todo_id=st.just("t"), new_reminder=reminders),
    st.sampled_from(
        [
            CancelReminder(todo_id="t"),
            ToggleCompletion(todo_id="t"),
            MarkCompleted(todo_id="t"),
            ResetCompleted(todo_id="t"),
        ]
    ),
)


@given(history=st.lists(events, max_size=8), command=commands)
def test_the_todo_decider_keeps_the_laws(history: list[TodoEvent], command: TodoCommand) -> None:
    assert_replay_consistent(todo, history, command)
