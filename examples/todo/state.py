"""The state of a todo (seed 000, section A): ``Uninitialized``, or a created ``Todo``.

The seed calls the second case ``Created(TodoData)``; here it is ``Todo``, so that it does
not clash with the ``Created`` event.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias

from examples.todo.values import Description, Reminder

__all__ = ["Status", "Todo", "TodoState", "Uninitialized"]


class Status(enum.Enum):
    """Whether a todo is done."""

    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


@dataclass(frozen=True, slots=True)
class Uninitialized:
    """A todo stream with no ``Created`` event yet."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Todo:
    """A created todo: its description, optional reminder and completion status."""

    description: Description
    reminder: Reminder | None = None
    status: Status = Status.NOT_COMPLETED


TodoState: TypeAlias = Uninitialized | Todo
"""The state of a todo stream."""
