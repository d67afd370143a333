"""What the target suite needs from a backend: a way to open it, and a tiny read model.

The suite's read model is a key-value table: ``put(name)`` is a handler that stores an
event's ``value`` under its stream id, ``rows(target, name)`` reads the committed pairs
back. A backend binds the suite by writing these few lines in its own dialect (a dict for
the memory target, a two-column table for SQL): the checks then drive the target only
through the contract's methods.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fabula.domain import Recorded
from fabula.read import AsyncTarget, DeadLetter, Handler, SetupHook, Step
from fabula.read.memory import AsyncMemoryTarget

__all__ = ["AsyncTargetKit", "Put", "Rows", "letter", "memory_kit", "put_step", "recorded"]

Rows = dict[str, str]
"""A read model as the suite sees it: stream id -> last value put."""


@dataclass(frozen=True, slots=True)
class Put:
    """The suite's one event: store ``value`` under the event's stream id."""

    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AsyncTargetKit:
    """A backend bound to the target suite (asyncio).

    Attributes:
        open: opens the target; called again, it opens the same database (a restart).
        setup: ``setup(name)`` creates the read model of projection ``name``.
        put: ``put(name)`` is the handler writing ``Put`` events into that model.
        rows: ``rows(target, name)`` reads the committed model back.
    """

    open: Callable[[], AsyncTarget]
    setup: Callable[[str], SetupHook]
    put: Callable[[str], Handler]
    rows: Callable[[AsyncTarget, str], Awaitable[Rows]]


def recorded(stream_id: str, event: object, /, *, position: int) -> Recorded[Any]:
    """Return ``event`` (a ``Put``, usually) as the log would hand it over."""
    return Recorded(
        event=event,
        stream_id=stream_id,
        version=1,
        position=position,
        event_id=uuid.uuid4(),
        type="Put",
        recorded_at=datetime.now(UTC),
    )


def put_step(
    kit: AsyncTargetKit, name: str, stream_id: str, value: str, /, *, position: int
) -> Step:
    """Return the step that puts ``value`` under ``stream_id`` in the model of ``name``."""
    return (kit.put(name), recorded(stream_id, Put(value), position=position))


def letter(name: str, position: int, /, *, error: str = "Boom") -> DeadLetter:
    """Return a dead letter of ``name`` at ``position``."""
    return DeadLetter(
        name=name,
        position=position,
        stream_id=f"s{position}",
        version=1,
        event_id=uuid.uuid4(),
        type="Put",
        error=error,
        parked_at=datetime.now(UTC),
    )


def _memory_put(name: str) -> Handler:
    def put(tx: Any, event: Recorded[Any]) -> None:
        tx[event.stream_id] = event.event.value

    return put


def _memory_setup(name: str) -> SetupHook:
    def setup(tx: Any) -> None:
        """Nothing to create: the model is a dict."""

    return setup


def memory_kit(target_class: type[AsyncMemoryTarget] = AsyncMemoryTarget, /) -> AsyncTargetKit:
    """Bind the suite to one memory target (of ``target_class``, for mutants).

    ``open`` returns that same object each time: a memory target lives as long as it.
    """
    target = target_class()

    async def rows(opened: AsyncTarget, name: str) -> Rows:
        assert isinstance(opened, AsyncMemoryTarget)
        return dict(opened.model(name))

    return AsyncTargetKit(open=lambda: target, setup=_memory_setup, put=_memory_put, rows=rows)
