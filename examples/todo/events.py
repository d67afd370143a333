"""The events of the todo domain (seed 000, section A), with their stable type names.

| class | type name | JSON payload |
|---|---|---|
| ``Created`` | ``todo_created`` | ``{"initial_description":{"text":"..."}}`` |
| ``DescriptionUpdated`` | ``todo_description_updated`` | ``{"new_description":{"text":"..."}}`` |
| ``ReminderUpdated`` | ``todo_reminder_updated`` | ``{"new_reminder":{"time":"<RFC 3339>"}}`` |
| | | or ``{"new_reminder":null}`` (reminder cancelled) |
| ``Completed`` | ``todo_completed`` | ``{}`` |
| ``Uncompleted`` | ``todo_uncompleted`` | ``{}`` |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from examples.todo.values import Description, Reminder
from fabula import event

__all__ = [
    "EVENTS",
    "Completed",
    "Created",
    "DescriptionUpdated",
    "ReminderUpdated",
    "TodoEvent",
    "Uncompleted",
]


@event("todo_created")
@dataclass(frozen=True, slots=True)
class Created:
    """A todo was created with its first description."""

    initial_description: Description


@event("todo_description_updated")
@dataclass(frozen=True, slots=True)
class DescriptionUpdated:
    """A todo's description changed."""

    new_description: Description


@event("todo_reminder_updated")
@dataclass(frozen=True, slots=True)
class ReminderUpdated:
    """A todo's reminder was set (a ``Reminder``) or cancelled (``None``)."""

    new_reminder: Reminder | None


@event("todo_completed")
@dataclass(frozen=True, slots=True)
class Completed:
    """A todo was marked completed."""


@event("todo_uncompleted")
@dataclass(frozen=True, slots=True)
class Uncompleted:
    """A todo was marked not completed."""


TodoEvent: TypeAlias = Created | DescriptionUpdated | ReminderUpdated | Completed | Uncompleted
"""Any event of a todo stream."""

EVENTS: tuple[type, ...] = (Created, DescriptionUpdated, ReminderUpdated, Completed, Uncompleted)
"""Every todo event class, to register with a codec."""
