"""Event type names and JSON payloads are pinned, as the seed's golden tests pin them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from examples.todo import (
    EVENTS,
    Completed,
    Created,
    Description,
    DescriptionUpdated,
    Reminder,
    ReminderUpdated,
    TodoEvent,
    Uncompleted,
)
from fabula import CodecError
from fabula.codec import EventRegistry

REMINDER = Reminder(datetime(2100, 1, 1, tzinfo=UTC))

PINNED: list[tuple[TodoEvent, str, str]] = [
    (Created(Description("Hello!")), "todo_created", '{"initial_description":{"text":"Hello!"}}'),
    (
        DescriptionUpdated(Description("New text")),
        "todo_description_updated",
        '{"new_description":{"text":"New text"}}',
    ),
    (
        ReminderUpdated(REMINDER),
        "todo_reminder_updated",
        '{"new_reminder":{"time":"2100-01-01T00:00:00Z"}}',
    ),
    (ReminderUpdated(None), "todo_reminder_updated", '{"new_reminder":null}'),
    (Completed(), "todo_completed", "{}"),
    (Uncompleted(), "todo_uncompleted", "{}"),
]


@pytest.mark.parametrize(("value", "name", "payload"), PINNED, ids=lambda v: str(v)[:40])
def test_events_encode_to_the_pinned_json(value: TodoEvent, name: str, payload: str) -> None:
    registry = EventRegistry(EVENTS)
    assert registry.encode(value) == (name, 1, payload)
    assert registry.decode(name, 1, payload) == value


def test_every_event_class_is_pinned() -> None:
    assert {type(value) for value, _, _ in PINNED} == set(EVENTS)


def test_a_stored_empty_description_is_refused_on_decode() -> None:
    registry = EventRegistry(EVENTS)
    with pytest.raises(CodecError, match="todo_created"):
        registry.decode("todo_created", 1, '{"initial_description":{"text":""}}', version=1)
