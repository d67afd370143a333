"""Value objects of the todo domain (seed 000, section A): ``Description`` and ``Reminder``.

Both validate when made for a command; both are plain frozen values in events, whose
JSON is ``{"text": "..."}`` and ``{"time": "<RFC 3339>"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from examples.todo.errors import InvalidDescription, InvalidReminderTime

__all__ = ["Description", "Reminder"]


@dataclass(frozen=True, slots=True)
class Description:
    """What a todo is about: any non-empty text.

    Raises:
        InvalidDescription: the text is empty.
    """

    text: str

    def __post_init__(self) -> None:
        if not self.text:
            raise InvalidDescription


@dataclass(frozen=True, slots=True)
class Reminder:
    """When to remind the user of a todo (a UTC instant).

    Make one for a command with ``Reminder.new(time, current_time)``, which refuses times
    in the past. The plain constructor does not check the time: a reminder stored in an
    event stays valid after its time has passed.
    """

    time: datetime

    @classmethod
    def new(cls, time: datetime, current_time: datetime) -> Reminder:
        """Return a reminder at ``time``, which must be later than ``current_time``.

        Both times must be timezone-aware; the reminder keeps ``time`` in UTC.

        Raises:
            InvalidReminderTime: ``time`` is not after ``current_time``.
            ValueError: a time has no timezone.
        """
        if time.tzinfo is None or current_time.tzinfo is None:
            msg = "reminder times must be timezone-aware"
            raise ValueError(msg)
        if time <= current_time:
            raise InvalidReminderTime(params={"time": time.isoformat()})
        return cls(time.astimezone(UTC))
