"""``Reaction``: checkpointed handlers that act on events (send, call, dispatch commands).

A reaction is a ``fabula.read.running.Consumer`` that is not ``transactional``; a
``ProjectionRunner`` or ``ProjectionSet`` runs it like a projection, with differences:

1. Its handler runs outside any read-model transaction, then the checkpoint moves past
   the event. A crash in between delivers the event again: at least once, never lost.
2. Each delivery carries a ``ReactionContext`` whose ``key`` and ``command_id()`` are the
   same on every redelivery. Dispatch with ``command_id=context.command_id()`` and the
   flow's idempotency guard turns a redelivered command into a no-op::

       welcome = Reaction("welcome")

       @welcome.on(UserRegistered)
       def greet(context: ReactionContext, event: Recorded[UserRegistered]) -> None:
           flow.dispatch(SendWelcome(event.stream_id), command_id=context.command_id())

3. While the handler runs (or, when async, while it is awaited), the event is the cause
   of what it dispatches (``fabula.app.caused_by``): the commands carry its id as their
   causation and its correlation id, with no code from the user.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator
from typing import Any, Protocol, TypeVar, overload

from fabula.app import Cause, caused_by
from fabula.domain import Recorded
from fabula.flows._reaction_context import ReactionContext
from fabula.read import SetupHook
from fabula.read.running import Entry, Handler, HandlerTable, check_name

__all__ = ["OnReactions", "Reaction", "ReactionHandler"]

ReactionHandler = Callable[[ReactionContext, Recorded[Any]], object]
"""``handler(context, recorded)``: act on one event; may be async with the asyncio runner."""

EventT = TypeVar("EventT")
Event2T = TypeVar("Event2T")
Event3T = TypeVar("Event3T")
ResultT = TypeVar("ResultT")


class OnReactions(Protocol[EventT]):
    """What ``on(A)`` returns: a decorator that checks the handler takes ``Recorded[A]``."""

    def __call__(
        self, handler: Callable[[ReactionContext, Recorded[EventT]], ResultT], /
    ) -> Callable[[ReactionContext, Recorded[EventT]], ResultT]: ...


class Reaction:
    """Handlers per event class that act on events, with a checkpoint named ``name``."""

    batch_size: int = 1
    setup_hooks: tuple[SetupHook, ...] = ()

    def __init__(self, name: str, /) -> None:
        self.name: str = check_name("reaction", name)
        self._handlers: HandlerTable[ReactionHandler] = HandlerTable(f"reaction {name!r}")
        self._entries: dict[type, Entry[Handler]] = {}

    @overload
    def on(self, event_type: type[EventT], /) -> OnReactions[EventT]: ...
    @overload
    def on(
        self, event_type: type[EventT], other: type[Event2T], /
    ) -> OnReactions[EventT | Event2T]: ...
    @overload
    def on(
        self, event_type: type[EventT], other: type[Event2T], third: type[Event3T], /
    ) -> OnReactions[EventT | Event2T | Event3T]: ...
    @overload
    def on(self, *event_types: type) -> OnReactions[Any]: ...
    def on(self, *event_types: type) -> OnReactions[Any]:
        """Register the decorated function as the handler of ``event_types``.

        The handler's ``recorded`` argument is checked against them: a handler of
        ``Recorded[TaskAdded]`` registered ``@on(TaskDone)`` is a type error.
        """

        def register(
            handler: Callable[[ReactionContext, Recorded[Any]], ResultT],
        ) -> Callable[[ReactionContext, Recorded[Any]], ResultT]:
            self._handlers.add(event_types, handler, batch=False)
            return handler

        return register

    @property
    def transactional(self) -> bool:
        """Always ``False``: handlers act outside the commit, each event alone."""
        return False

    @property
    def handlers(self) -> HandlerTable[ReactionHandler]:
        """The handler table (by event class)."""
        return self._handlers

    def entry(self, event_type: type, /) -> Entry[Handler]:
        """The handler of an event class as the runner calls it: ``handler(None, recorded)``.

        It builds the ``ReactionContext`` and makes the event the cause of what the
        user's handler dispatches.
        """
        found = self._entries.get(event_type)
        if found is None:
            handler = self._handlers.get(event_type).handler
            found = self._entries[event_type] = Entry(_Deliver(self.name, handler), batch=False)
        return found

    def __repr__(self) -> str:
        return f"Reaction({self.name!r})"


class _Deliver:
    """``handler(tx, recorded)`` that calls the user's ``handler(context, recorded)``."""

    __slots__ = ("handler", "name")

    def __init__(self, name: str, handler: ReactionHandler) -> None:
        self.name = name
        self.handler = handler

    def __call__(self, tx: object, recorded: Recorded[Any], /) -> object:
        context = ReactionContext(self.name, recorded.event_id)
        with caused_by(recorded) as cause:
            result = self.handler(context, recorded)
        if result is not None and inspect.isawaitable(result):
            return _Caused(cause, result)
        return result


class _Caused:
    """An awaitable that awaits ``awaitable`` with ``cause`` in effect (async handlers)."""

    __slots__ = ("awaitable", "cause")

    def __init__(self, cause: Cause, awaitable: Awaitable[Any]) -> None:
        self.cause = cause
        self.awaitable = awaitable

    def __await__(self) -> Generator[Any, None, Any]:
        with caused_by(self.cause):
            return (yield from self.awaitable.__await__())

    def close(self) -> None:
        """Close the handler's coroutine unawaited (the sync runner refuses it)."""
        close = getattr(self.awaitable, "close", None)
        if close is not None:
            close()
