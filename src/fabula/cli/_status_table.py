"""``status_table``: projection statuses as the table ``fabula projections status`` prints."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fabula.read import ProjectionStatus
from fabula.read.running import LAG_COUNT_LIMIT

__all__ = ["status_table"]

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
            f"{s.lag_events}+" if s.lag_events >= LAG_COUNT_LIMIT else str(s.lag_events),
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
