"""``ErrorPolicy``: what a runner does when a handler keeps failing on an event.

Rules:
1. A failing event is retried ``retries`` times, with exponential backoff from
   ``backoff`` seconds, capped at ``max_backoff``. An event that does not decode is not
   retried (decoding is deterministic).
2. Then it is parked: a dead letter names the stream, version, position and error.
   ``on_park="stop"`` stops the runner before the event (the checkpoint stays below it);
   ``"continue"`` passes it and goes on. Nothing is ever skipped without a dead letter.
3. Failures of the databases themselves (connection lost, locked) are not the event's
   fault: they are retried without end, with the same capped backoff, and never park.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fabula._errors import ConfigurationError

__all__ = ["ErrorPolicy", "OnPark"]

OnPark = Literal["stop", "continue"]

_MAX_DOUBLINGS = 64
"""Past this many doublings any backoff has reached ``max_backoff`` (the delay stays put)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorPolicy:
    """Retries with backoff, then park the event and stop or continue."""

    retries: int = 3
    backoff: float = 0.1
    max_backoff: float = 5.0
    on_park: OnPark = "stop"

    def __post_init__(self) -> None:
        if self.retries < 0 or self.backoff < 0 or self.max_backoff < 0:
            msg = "retries, backoff and max_backoff must not be negative"
            raise ConfigurationError(msg)

    def delay(self, attempt: int, /) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        doublings = min(max(0, attempt - 1), _MAX_DOUBLINGS)  # 2**1024 is no float
        return float(min(self.max_backoff, self.backoff * 2.0**doublings))
