"""``Failure``: a projection's last failed attempt, kept in its target across restarts.

Rules:
1. Every failed attempt at an event (a ``HandlerError``) is recorded before the runner
   backs off: the event's position, the attempts so far, the error and when.
2. A runner that starts on that event again (after a restart, or in another worker that
   took the lease over) goes on counting from the recorded attempts, so retries end in a
   dead letter however often workers restart.
3. The failure is current while the checkpoint is below its position (the status then
   says ``retrying``, or ``failed`` once parked); after that it is only the last error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Failure"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """The last failed attempt of a projection: which event, how many attempts, and why."""

    name: str
    position: int
    attempts: int
    error: str
    failed_at: datetime

    def pending(self, checkpoint: int, /) -> bool:
        """Whether the failing event is still ahead of ``checkpoint`` (not applied yet)."""
        return self.position > checkpoint
