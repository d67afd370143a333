"""``ProjectionStatus``: where a projection is, how far behind, and whether it runs.

``lag_events`` counts the events between the checkpoint and the head (of every type,
exactly up to 10,000; shown as ``10000+`` beyond); ``lag_seconds`` is the age of the
oldest event not yet passed (0 when caught up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fabula.read._scratch import ScratchCopy

__all__ = ["ProjectionStatus", "RunState", "status_table"]

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


_LAG_COUNT_LIMIT = 10_000  # where the count of lagging events stops (see _monitor_async)

_COLUMNS = (
    "projection",
    "position",
    "head",
    "lag",
    "lag (s)",
    "state",
    "parked",
    "last commit",
    "owner",
)


def _clock(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone().strftime("%H:%M:%S")


def status_table(statuses: Iterable[ProjectionStatus], /) -> str:
    """Format statuses as a plain-text table (what ``fabula projections status`` prints).

    Below the table, one line per current error (``retrying`` or ``failed``) and per
    copy rebuild, running or left behind.
    """
    statuses = list(statuses)
    rows = [
        (
            s.name,
            str(s.position),
            str(s.head),
            f"{s.lag_events}+" if s.lag_events >= _LAG_COUNT_LIMIT else str(s.lag_events),
            f"{s.lag_seconds:.1f}",
            s.state,
            str(s.parked),
            _clock(s.updated_at),
            s.owner or "-",
        )
        for s in statuses
    ]
    widths = [max(len(cell) for cell in column) for column in zip(_COLUMNS, *rows, strict=False)]
    numeric = {1, 2, 3, 4, 6}
    lines = []
    for row in (_COLUMNS, *rows):
        cells = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines + _notes(statuses))


def _notes(statuses: Iterable[ProjectionStatus]) -> list[str]:
    notes = []
    for s in statuses:
        if s.error is not None and s.state in ("retrying", "failed"):
            tried = f" after {s.attempts} attempts" if s.attempts else ""
            notes.append(f"{s.name}: {s.state}{tried}: {s.error} (at {_clock(s.last_error_at)})")
        if s.rebuild is not None:
            notes.append(s.rebuild.describe(s.name))
    return notes
