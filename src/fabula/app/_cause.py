"""The event being reacted to: the default causation and correlation of a dispatch.

While a reaction's handler runs, ``caused_by(recorded)`` holds the triggering event in a
context variable; ``Flow.dispatch`` (sync and async) reads it when no ids are given:

1. ``causation_id`` defaults to the event's id (kept on the new events as ``caused_by``);
2. ``correlation_id`` defaults to the event's correlation id (or its id when it has none),
   so everything one request caused shares one correlation, with no user code.

A context variable follows the asyncio task, so concurrent handlers never see each
other's cause. Not generated: both flows import this one module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from fabula.domain import Recorded

__all__ = ["Cause", "caused_by", "current_cause"]


@dataclass(frozen=True, slots=True)
class Cause:
    """The ids a command dispatched now inherits: its causation and its correlation."""

    causation_id: UUID
    correlation_id: UUID


_CAUSE: ContextVar[Cause | None] = ContextVar("fabula_cause", default=None)


def current_cause() -> Cause | None:
    """The cause in effect here (inside ``caused_by``), or ``None``."""
    return _CAUSE.get()


@contextmanager
def caused_by(cause: Recorded[object] | Cause, /) -> Iterator[Cause]:
    """Make an event (or a ``Cause``) the cause of every command dispatched in the block."""
    if not isinstance(cause, Cause):
        correlation = cause.correlation_id
        cause = Cause(cause.event_id, correlation if correlation is not None else cause.event_id)
    token = _CAUSE.set(cause)
    try:
        yield cause
    finally:
        _CAUSE.reset(token)
