"""The errors of the todo domain (seed 000, section A), each with a stable code and message.

``NotInitialized`` and ``AlreadyCreated`` are the seed's command errors;
``InvalidDescription`` and ``InvalidReminderTime`` come from its value objects. All are
``DomainError``s: an API returns ``error.as_json()`` with a 4xx status.
"""

from __future__ import annotations

from fabula import DomainError

__all__ = ["AlreadyCreated", "InvalidDescription", "InvalidReminderTime", "NotInitialized"]


class NotInitialized(DomainError):
    """A command other than ``CreateTodo`` reached a todo that was never created."""

    code = "not_initialized"
    message = "attempt to execute command before creation"


class AlreadyCreated(DomainError):
    """``CreateTodo`` reached a todo that exists already."""

    code = "already_created"
    message = "attempt to create when already created"


class InvalidDescription(DomainError):
    """A description was empty."""

    code = "invalid_description"
    message = "description cannot be empty"


class InvalidReminderTime(DomainError):
    """A reminder was set for a time that is not in the future."""

    code = "invalid_reminder_time"
    message = "reminder time cannot be in the past"
