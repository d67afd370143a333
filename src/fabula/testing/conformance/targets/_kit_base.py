"""The target suite's shared pieces: its event, envelopes and dead letters, the memory model.

Shared by the asyncio checks and their generated sync twins (one definition each).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fabula.domain import Recorded
from fabula.read import DeadLetter, Handler, SetupHook

__all__ = ["Put", "letter", "memory_put", "memory_setup", "recorded"]


@dataclass(frozen=True, slots=True)
class Put:
    """The suite's one event: store ``value`` under the event's stream id."""

    value: str


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


def memory_put(name: str) -> Handler:
    def put(tx: Any, event: Recorded[Any]) -> None:
        tx[event.stream_id] = event.event.value

    return put


def memory_setup(name: str) -> SetupHook:
    def setup(tx: Any) -> None:
        """Nothing to create: the model is a dict."""

    return setup
