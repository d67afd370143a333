"""Batch handlers' steps: one call of ``handler(tx, records)`` for consecutive events.

A step is ``(handler, recorded)``, which every target applies as ``handler(tx, recorded)``.
For a batch handler (``Projection.on_batch``) the step's handler is a ``BatchCall`` that
holds the records and calls the batch handler once with all of them; targets need not
know. ``coalesce`` merges consecutive steps of one batch handler into one such step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from fabula.domain import Recorded
from fabula.read._handlers import Entry
from fabula.read._projection import BatchHandler, Handler
from fabula.read._target import Step

__all__ = ["BatchCall", "coalesce", "step_of"]


class BatchCall:
    """``handler(tx, records)`` as a step's handler (it ignores the step's one record)."""

    __slots__ = ("handler", "records")

    def __init__(self, handler: BatchHandler, records: list[Recorded[Any]]) -> None:
        self.handler = handler
        self.records = records

    def __call__(self, tx: Any, recorded: Recorded[Any], /) -> object:
        """Apply every record of the batch (the step's own record is its first)."""
        return self.handler(tx, self.records)


def step_of(entry: Entry[Handler], recorded: Recorded[Any]) -> Step:
    """The step that applies one event with its handler entry."""
    if entry.many:
        return BatchCall(cast("BatchHandler", entry.handler), [recorded]), recorded
    return entry.handler, recorded


def coalesce(steps: Sequence[Step]) -> list[Step]:
    """Merge runs of consecutive steps of one batch handler into one step each."""
    merged: list[Step] = []
    for step in steps:
        handler = step[0]
        if merged and isinstance(handler, BatchCall):
            last = merged[-1][0]
            if isinstance(last, BatchCall) and last.handler is handler.handler:
                last.records.extend(handler.records)
                continue
        merged.append(step)
    return merged
