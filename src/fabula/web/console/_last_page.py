"""The last page of the global log, found with the store's forward reads alone.

Theory of operation: the store reads the log forwards only (``read_all(after=...)``),
and positions may be sparse (PostgreSQL's leave gaps of any size). Counting back from
the head by positions would show too few events; reading the whole log would not do on
millions. So: probe ranges ``(head - span, head]`` with ``read_all(limit=n + 1)`` (an
index range read of at most ``n + 1`` rows), widening the span until a range holds at
least ``n`` events, then bisect on positions between the last range too small and the
first too big. Holding exactly ``n`` ends the search; the count changes by at most one
per position, so the bisection always lands on such a range. A dense log (SQLite)
takes one probe; a sparse one about ``log2(gap)`` probes.
"""

from __future__ import annotations

from fabula.store import EventStore, StoredEvent

__all__ = ["last_page"]

_WIDEN = 8


def last_page(store: EventStore, limit: int, /) -> tuple[int, list[StoredEvent]]:
    """Return the head and the last ``limit`` events at or before it, in log order."""
    head = store.head()
    if head == 0:
        return head, []

    def probe(after: int) -> list[StoredEvent]:
        return [r for r in store.read_all(after=after, limit=limit + 1) if r.position <= head]

    span, small = limit, head  # (small, head] holds fewer than ``limit`` events
    while True:
        big = max(0, head - span)
        page = probe(big)
        if len(page) == limit or (big == 0 and len(page) < limit):
            return head, page
        if len(page) > limit:
            break
        small, span = big, span * _WIDEN
    while small - big > 1:  # (big, head] holds more than ``limit``, (small, head] fewer
        middle = (big + small) // 2
        page = probe(middle)
        if len(page) == limit:
            return head, page
        if len(page) > limit:
            big = middle
        else:
            small = middle
    return head, probe(small)  # not reached: the count moves by one per position
