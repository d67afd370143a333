"""The commands of the todo domain (seed 000, section A).

Values come in already validated (``Description(...)``, ``Reminder.new(time, now)``): the
current time is the caller's, never read inside the decider.

Every command names its todo (``todo_id``) so that a ``Flow`` can route it to the stream
``todo-<id>``; the seed passes that id beside the command instead. The decider ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from examples.todo.values import Description, Reminder

__all__ = [
    "COMMANDS",
    "CancelReminder",
    "CreateTodo",
    "MarkCompleted",
    "ResetCompleted",
    "SetReminder",
    "TodoCommand",
    "ToggleCompletion",
    "UpdateDescription",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTodo:
    """Create a todo, optionally with a reminder."""

    todo_id: str
    description: Description
    reminder: Reminder | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateDescription:
    """Change a todo's description."""

    todo_id: str
    new_description: Description


@dataclass(frozen=True, slots=True, kw_only=True)
class SetReminder:
    """Set (or move) a todo's reminder."""

    todo_id: str
    new_reminder: Reminder


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelReminder:
    """Remove a todo's reminder."""

    todo_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ToggleCompletion:
    """Flip a todo between completed and not completed."""

    todo_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkCompleted:
    """Mark a todo completed (a no-op if it is)."""

    todo_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetCompleted:
    """Mark a todo not completed (a no-op if it is not completed)."""

    todo_id: str


TodoCommand: TypeAlias = (
    CreateTodo
    | UpdateDescription
    | SetReminder
    | CancelReminder
    | ToggleCompletion
    | MarkCompleted
    | ResetCompleted
)
"""Any todo command."""

COMMANDS: tuple[type, ...] = (
    CreateTodo,
    UpdateDescription,
    SetReminder,
    CancelReminder,
    ToggleCompletion,
    MarkCompleted,
    ResetCompleted,
)
"""Every todo command class, for routing."""
