"""Which of the store's reads ``AsyncConnection`` runs on the event loop's own thread.

A read listed here is short: one index lookup, one row, or at most ``MOST_ROWS`` events.
On a reader connection (WAL) it never waits for a writer, and it costs less than the hop
to a worker thread and back (see ``_driver``'s rules for the figures). A probe, when
there is one, decides from the arguments and an index lookup, on the same connection,
just before the read; a read it refuses goes to a worker thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection

from fabula.store._records import Direction
from fabula.store.sqlite import _lifecycle, _ops

__all__ = ["INLINE", "MOST_ROWS"]

MOST_ROWS = 200
"""The most events a read run on the loop may return (~1 ms of decoding; ``_driver``)."""


def _short_stream(
    conn: sqlite3.Connection,
    stream_id: str,
    direction: Direction,
    from_version: int | None,
    to_version: int | None,
    limit: int | None,
) -> bool:
    """Whether ``read_stream`` returns at most ``MOST_ROWS`` events (versions are dense)."""
    del direction
    if limit is not None and limit <= MOST_ROWS:
        return True
    top = _ops.stream_version(conn, stream_id)
    high = top if to_version is None else min(top, to_version)
    low = 1 if from_version is None else from_version
    return high - low < MOST_ROWS


def _short_page(
    conn: sqlite3.Connection,
    after: int,
    limit: int | None,
    types: Collection[str] | None,
    categories: Collection[str] | None,
) -> bool:
    """Whether ``read_all`` is a small unfiltered page (a filter may scan any number of rows)."""
    del conn, after
    return types is None and categories is None and limit is not None and limit <= MOST_ROWS


INLINE: dict[Callable[..., object], Callable[..., bool] | None] = {
    _ops.head: None,
    _ops.stream_version: None,
    _ops.load_snapshot: None,
    _lifecycle.stream_state: None,
    _ops.read_stream: _short_stream,
    _ops.read_all: _short_page,
}
"""Reads that may run on the loop, each with its probe (``None``: always short)."""
