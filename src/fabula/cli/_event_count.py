"""``EventCount``: how many events of the log lie at or below a position.

Positions have gaps (PostgreSQL's are transaction ids shifted left by 16 bits), so a
progress display cannot take a share of positions. One pass over the log up to the head
keeps the last position of every page of ``page`` events; a position then maps to a
count within one page, and exactly at the head.
"""

from __future__ import annotations

from bisect import bisect_right

from fabula.store import EventStore

__all__ = ["EventCount"]


class EventCount:
    """The events of ``store`` after ``after`` and up to ``until`` (the head by default)."""

    def __init__(
        self, store: EventStore, /, *, after: int = 0, until: int | None = None, page: int = 1000
    ) -> None:
        until = store.head() if until is None else until
        self._ends: list[int] = []
        self._counts: list[int] = []
        counted = 0
        position = after
        while position < until:
            found = store.read_all(after=position, limit=page)
            found = [item for item in found if item.position <= until]
            if not found:
                break
            counted += len(found)
            position = found[-1].position
            self._ends.append(position)
            self._counts.append(counted)
        self.total = counted

    def through(self, position: int, /) -> int:
        """The events at or below ``position`` (rounded down to a page boundary)."""
        index = bisect_right(self._ends, position)
        return self._counts[index - 1] if index else 0
