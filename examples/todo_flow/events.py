"""The events of the Eventuality todo flow, under the seed's names (seed 002, section B).

| class | type name | JSON payload |
|---|---|---|
| ``TodoCreatedEvent`` | ``TodoCreatedEvent`` | ``{"id":"todo1","description":"Create a todo"}`` |
| ``TodoCompletedEvent`` | ``TodoCompletedEvent`` | ``{"completed":true}`` |

The seed also copies the aggregate's state into each event; fabula keeps state out of
events (a listener that needs it loads the aggregate).
"""

from __future__ import annotations

from dataclasses import dataclass

from fabula import event

__all__ = ["EVENTS", "TodoCompletedEvent", "TodoCreatedEvent"]


@event("TodoCreatedEvent")
@dataclass(frozen=True, slots=True)
class TodoCreatedEvent:
    """A todo was added."""

    id: str
    description: str


@event("TodoCompletedEvent")
@dataclass(frozen=True, slots=True)
class TodoCompletedEvent:
    """A todo was completed (the seed's payload: ``{completed: true}``)."""

    completed: bool = True


EVENTS: tuple[type, ...] = (TodoCreatedEvent, TodoCompletedEvent)
"""Every event class of the flow, to register with a codec."""
