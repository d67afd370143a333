"""``Checkpoint``: how far a projection or reaction has got in the global log.

Rules:
1. A checkpoint is written in the same transaction as the read-model changes it covers,
   and only if it still holds the position the writer read (compare and set): two
   writers of one projection can never both apply an event.
2. ``position`` is the last log position passed, whether its event was handled,
   filtered out (another type) or parked; the next event to process is after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Checkpoint"]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A projection's position in the global log, and when it last moved."""

    name: str
    position: int
    updated_at: datetime | None = None
