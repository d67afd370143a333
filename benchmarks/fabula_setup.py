"""What the fabula runners share: opening the store, the flow, setups, reading the log back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import fabula
from benchmarks.fabula_domain import Create, Created, Item, Updated, stream_of
from benchmarks.harness import Ctx
from fabula.app import NEVER, Middleware
from fabula.codec import EventRegistry

__all__ = [
    "STALL",
    "STALLED",
    "WARMUP",
    "dense",
    "event_registry",
    "histories",
    "log_positions",
    "new_flow",
    "opened",
]

WARMUP = 50
STALL = 120.0
"""Seconds without a new event before a catch-up gives up (a stuck log, not a slow one)."""
STALLED = f"no new event for {STALL:.0f} s"


def dense(ctx: Ctx) -> bool:
    """fabula's PostgreSQL positions are sparse by design (derived from transaction ids)."""
    return ctx.backend != "postgres"


@contextmanager
def opened(ctx: Ctx) -> Iterator[fabula.EventStore]:
    """The run's store, closed afterwards."""
    store = fabula.open_store(ctx.storage.url)
    try:
        yield store
    finally:
        store.close()


def new_flow(
    store: fabula.EventStore,
    *,
    snapshots: bool = False,
    middleware: Sequence[Middleware] | None = None,
) -> fabula.Flow:
    """A flow with ``Item`` registered (snapshots every 100 versions if asked)."""
    flow = fabula.Flow(store, middleware=middleware)
    flow.register(
        Item, stream_id=stream_of, snapshots=fabula.SnapshotEvery(100) if snapshots else NEVER
    )
    return flow


def log_positions(store: fabula.EventStore) -> list[int]:
    """Every position of the log, in order."""
    found: list[int] = []
    while page := store.read_all(after=found[-1] if found else 0, limit=5000):
        found.extend(record.position for record in page)
    return found


def histories(flow: fabula.Flow, count: int, history: int) -> list[str]:
    """Write ``count`` streams of ``history`` events, one append each; return their ids."""
    repository = flow.repository(Item)
    updates = [Updated(amount=1)] * (history - 1)
    ids = []
    for index in range(count):
        stream_id = str(uuid.uuid4())
        repository.append(
            stream_id, [Created(name=f"item-{index}"), *updates], precondition=fabula.NO_STREAM
        )
        ids.append(stream_id)
    return ids


def created_streams(start: int, stop: int) -> dict[str, list[object]]:
    """W1 batched: the events of ``Create`` commands ``start..stop-1``, by new stream id."""
    decider = Item.decider
    appends: dict[str, list[object]] = {}
    for index in range(start, stop):
        command = Create(item_id=str(uuid.uuid4()), name=f"item-{index}")
        appends[command.item_id] = list(decider.decide(command, decider.initial_state()))
    return appends


def event_registry() -> EventRegistry:
    """A registry of the benchmark's event classes."""
    return EventRegistry(Item.decider.events)
