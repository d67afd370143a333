"""``ProjectionStatus``: where a projection is, how far behind, and whether it runs.

``lag_events`` counts the events between the checkpoint and the head (of every type,
exactly up to 10,000; shown as ``10000+`` beyond); ``lag_seconds`` is the age of the
oldest event not yet passed (0 when caught up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fabula.read._scratch import ScratchCopy

__all__ = ["ProjectionStatus", "RunState"]

RunState = Literal[
    "idle", "catching_up", "live", "standby", "retrying", "running", "stopped", "failed"
]
"""A runner reports ``idle`` (not started), ``catching_up``, ``live``, ``standby`` (another
worker holds the lease), ``retrying`` (a handler or a database failed; backing off),
``stopped`` or ``failed`` (stopped on a parked event, or on a bug). Seen from the database
alone (no runner in this process): ``failed`` (an event is parked ahead of the
checkpoint), ``retrying`` (a worker holds the lease and an event ahead of the checkpoint
failed), ``running`` (some worker holds the lease), or ``stopped``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectionStatus:
    """A projection's position, the log's head, its lag and its state.

    ``error`` is the current error (while ``retrying`` or ``failed``), ``attempts`` the
    failed attempts at the event being retried; ``last_error`` and ``last_error_at`` the
    last failure ever recorded, even if resolved since. ``updated_at`` is when the
    checkpoint last moved: the last successful commit.
    """

    name: str
    position: int
    head: int
    lag_events: int
    lag_seconds: float
    state: RunState
    parked: int
    owner: str | None = None
    error: str | None = None
    updated_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    rebuild: ScratchCopy | None = None

    @property
    def caught_up(self) -> bool:
        """Whether the projection has passed the head of the log."""
        return self.position >= self.head
