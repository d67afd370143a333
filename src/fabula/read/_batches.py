"""Batch handlers' steps: one call of ``handler(tx, records)`` for consecutive events.

A step is ``(handler, recorded)``, which every target applies as ``handler(tx, recorded)``.
For a batch handler (``Projection.on_batch``) the step's handler is a ``BatchCall`` that
holds the records and calls the batch handler once with all of them; targets need not
know. ``steps_for`` pairs decoded events with their handlers, a batch handler's run of
consecutive events as one step.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

from fabula.domain import Recorded
from fabula.read._handlers import Entry
from fabula.read._projection import BatchHandler, Handler
from fabula.read._target import Step

__all__ = ["BatchCall", "handled", "step_of", "steps_for"]


class BatchCall:
    """``handler(tx, records)`` as a step's handler (it ignores the step's one record)."""

    __slots__ = ("handler", "records")

    def __init__(self, handler: BatchHandler, records: list[Recorded[Any]]) -> None:
        self.handler = handler
        self.records = records

    def __call__(self, tx: Any, recorded: Recorded[Any], /) -> object:
        """Apply every record of the batch (the step's own record is its first)."""
        return self.handler(tx, self.records)


def handled(event_types: Collection[type], records: list[Recorded[Any]]) -> list[Recorded[Any]]:
    """Keep the events a consumer handles: a split's other parts pass it by."""
    if all(type(r.event) in event_types for r in records):
        return records
    return [r for r in records if type(r.event) in event_types]


def step_of(entry: Entry[Handler], recorded: Recorded[Any]) -> Step:
    """The step that applies one event with its handler entry."""
    if entry.many:
        return BatchCall(cast("BatchHandler", entry.handler), [recorded]), recorded
    return entry.handler, recorded


def steps_for(
    entry_of: Callable[[type], Entry[Handler]], records: Sequence[Recorded[Any]]
) -> list[Step]:
    """Pair each event with its handler entry; a batch handler's run becomes one step.

    One handler lookup per event class, not per event.
    """
    entries: dict[type, Entry[Handler]] = {}
    steps: list[Step] = []
    batch: BatchCall | None = None
    for recorded in records:
        cls = type(recorded.event)
        entry = entries.get(cls)
        if entry is None:
            entry = entries[cls] = entry_of(cls)
        if not entry.many:
            batch = None
            steps.append((entry.handler, recorded))
            continue
        handler = cast("BatchHandler", entry.handler)
        if batch is not None and batch.handler is handler:
            batch.records.append(recorded)
        else:
            batch = BatchCall(handler, [recorded])
            steps.append((batch, recorded))
    return steps
