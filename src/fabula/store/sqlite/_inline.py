"""Which of the store's reads ``AsyncConnection`` runs on the event loop's own thread.

Two kinds (``_driver`` rule 9 has the figures):

- ``ONE_ROW``: a lookup that returns one row (a head, a version, a snapshot): run whole.
- ``IN_CHUNKS``: a read of events whose statement walks an index in order and returns
  what it walks (a stream; the unfiltered log). Its cursor is fetched and decoded
  ``CHUNK`` rows at a time, with a yield to the loop between chunks. A filtered scan of
  the log may walk any number of rows to find one, so it runs in a worker thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from fabula.store.sqlite import _lifecycle, _ops

__all__ = ["CHUNK", "IN_CHUNKS", "ONE_ROW", "Chunked"]

CHUNK = 100
"""Rows fetched and decoded per turn of the loop (~0.5 ms here; ``_driver`` rule 9)."""

ONE_ROW: frozenset[Callable[..., object]] = frozenset(
    {_ops.head, _ops.stream_version, _ops.load_snapshot, _lifecycle.stream_state}
)
"""Reads that return one row: they run on the loop, whole."""


@dataclass(frozen=True)
class Chunked:
    """How to run a read of events in chunks: its statement, and when it may."""

    rows: Callable[..., sqlite3.Cursor]
    """``rows(conn, *args)``: the read's statement, executed, not fetched."""
    fits: Callable[..., bool]
    """``fits(*args)``: whether the statement returns the rows it walks."""


def _always(*args: Any) -> bool:
    del args
    return True


def _unfiltered(
    after: int, limit: int | None, types: Collection[str] | None, categories: Collection[str] | None
) -> bool:
    del after, limit
    return types is None and categories is None


IN_CHUNKS: dict[Callable[..., object], Chunked] = {
    _ops.read_stream: Chunked(_ops.stream_rows, _always),
    _ops.read_all: Chunked(_ops.log_rows, _unfiltered),
}
"""Reads of events that run on the loop in chunks, by the operation they stand for."""
