"""Batch handlers' steps: one call of ``handler(tx, records)`` for consecutive events.

A step is ``(handler, recorded)``, which every target applies as ``handler(tx, recorded)``.
For a batch handler (``Projection.on_batch``) the step's handler is a ``BatchCall`` that
holds the records and calls the batch handler once with all of them; targets need not
know. ``steps_for`` pairs decoded events with their handlers, a batch handler's run of
consecutive events as one step.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any, cast

from fabula.domain import Recorded
from fabula.read._handlers import Entry
from fabula.read._projection import BatchHandler, Handler
from fabula.read._target import Step

__all__ = ["BatchCall", "StepsCall", "handled", "one_step", "step_of", "steps_for"]


class BatchCall:
    """``handler(tx, records)`` as a step's handler (it ignores the step's one record)."""

    __slots__ = ("handler", "records")

    def __init__(self, handler: BatchHandler, records: list[Recorded[Any]]) -> None:
        self.handler = handler
        self.records = records

    def __call__(self, tx: Any, recorded: Recorded[Any], /) -> object:
        """Apply every record of the batch (the step's own record is its first)."""
        return self.handler(tx, self.records)


class StepsCall:
    """Several steps as one step's handler: each applied in turn, in one transaction.

    For a parked event an upcaster splits: its parts are retried together. With an
    asyncio connection the handlers' coroutines are awaited one after the other.
    """

    __slots__ = ("steps",)

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)

    @property
    def handler(self) -> object:
        """The first step's handler (what a target checks a step's handler by)."""
        first = self.steps[0][0]
        return getattr(first, "handler", first)

    def __call__(self, tx: Any, recorded: Recorded[Any], /) -> object:
        """Apply each step; a coroutine once a handler returns one."""
        for index, (handler, part) in enumerate(self.steps):
            result = handler(tx, part)
            if result is not None and inspect.isawaitable(result):
                return self._rest(tx, result, index + 1)
        return None

    async def _rest(self, tx: Any, pending: Awaitable[object], start: int) -> None:
        await pending
        for handler, part in self.steps[start:]:
            result = handler(tx, part)
            if result is not None and inspect.isawaitable(result):
                await result


def one_step(steps: Sequence[Step]) -> Step | None:
    """The steps as one (``None`` for none): a split's parts share one transaction."""
    if len(steps) <= 1:
        return steps[0] if steps else None
    return StepsCall(steps), steps[0][1]


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
