"""``Reaction``: checkpointed handlers that act on events (send, call, dispatch commands).

A reaction runs in a ``ProjectionRunner`` like a projection, with two differences:

1. Its handler runs outside any read-model transaction, then the checkpoint moves past
   the event. A crash in between delivers the event again: at least once, never lost.
2. Each delivery carries a ``ReactionContext`` whose ``key`` and ``command_id()`` are
   derived from the reaction's name and the event's id, so they are the same on every
   redelivery. Dispatch with ``command_id=context.command_id()`` and the flow's
   idempotency guard turns a redelivered command into a no-op::

       welcome = Reaction("welcome")

       @welcome.on(UserRegistered)
       def greet(context: ReactionContext, event: Recorded[UserRegistered]) -> None:
           flow.dispatch(SendWelcome(event.stream_id), command_id=context.command_id())
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from fabula.domain import Recorded
from fabula.read._handlers import Entry, HandlerTable, check_name

__all__ = ["Reaction", "ReactionContext", "ReactionHandler"]

_NAMESPACE: Final = uuid.UUID("5b0f7c1e-3a52-4a8e-9a35-7f1d5d8f0a11")


@dataclass(frozen=True, slots=True)
class ReactionContext:
    """What a reaction handler knows about one delivery, stable across redeliveries."""

    name: str
    event_id: uuid.UUID

    @property
    def key(self) -> uuid.UUID:
        """An idempotency key for this reaction to this event (the same on redelivery)."""
        return uuid.uuid5(_NAMESPACE, f"{self.name}:{self.event_id}")

    def command_id(self, index: int = 0, /) -> uuid.UUID:
        """The id of the ``index``-th command this delivery dispatches (stable)."""
        return uuid.uuid5(_NAMESPACE, f"{self.name}:{self.event_id}:{index}")


ReactionHandler = Callable[[ReactionContext, Recorded[Any]], object]
"""``handler(context, recorded)``: act on one event; may be async with the asyncio runner."""

HandlerT = TypeVar("HandlerT", bound=ReactionHandler)


class Reaction:
    """Handlers per event class that act on events, with a checkpoint named ``name``."""

    def __init__(self, name: str, /) -> None:
        self.name: str = check_name("reaction", name)
        self._handlers: HandlerTable[ReactionHandler] = HandlerTable(f"reaction {name!r}")

    def on(self, *event_types: type) -> Callable[[HandlerT], HandlerT]:
        """Register the decorated function as the handler of ``event_types``."""

        def register(handler: HandlerT) -> HandlerT:
            self._handlers.add(event_types, handler, batch=False)
            return handler

        return register

    @property
    def handlers(self) -> HandlerTable[ReactionHandler]:
        """The handler table (by event class)."""
        return self._handlers

    def entry(self, event_type: type, /) -> Entry[ReactionHandler]:
        """Return the handler entry of an event class."""
        return self._handlers.get(event_type)

    def __repr__(self) -> str:
        return f"Reaction({self.name!r})"
