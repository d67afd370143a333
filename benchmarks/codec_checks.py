"""What the codec's refusals and the stores' JSON check cost, in microseconds per call.

- ``check_json``: the stores' append-time check of one event (data, and metadata both
  ``"{}"`` and a small object);
- ``encode``: ``EventRegistry.encode`` of a small event beside a bare msgspec encode (to
  bytes; ``encode`` returns text), for
  a class without datetimes (bytes scans only) and one with a datetime (walked);
- a 1-event ``SqliteStore.append`` (and memory), with the check and with it stubbed out.

    python -m benchmarks.codec_checks
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from unittest import mock

import msgspec

import fabula
from fabula.store import NewEvent, _json_check as json_check
from fabula.store.memory import MemoryStore
from fabula.store.sqlite import SqliteStore

__all__ = ["main"]


@fabula.event("bench_item_created")
@dataclass(frozen=True)
class Created:
    item_id: str
    name: str
    quantity: int
    price: float


@fabula.event("bench_item_stamped")
@dataclass(frozen=True)
class Stamped:
    item_id: str
    name: str
    quantity: int
    at: datetime


def per_call(func: Callable[[], object], *, calls: int, rounds: int = 7) -> float:
    """Median over ``rounds`` of the mean time of one call, in microseconds."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            func()
        results.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(results)


def event(metadata: str = "{}") -> NewEvent:
    data = '{"item_id":"item-42","name":"a small item","quantity":3,"price":9.5}'
    return NewEvent(event_id=uuid.uuid4(), type="bench_item_created", data=data, metadata=metadata)


def appends(store: fabula.EventStore, calls: int) -> float:
    """Mean microseconds of a 1-event append to a new stream."""

    def append() -> None:
        store.append(f"item-{uuid.uuid4().hex}", [event()])

    return per_call(append, calls=calls, rounds=1)


def append_costs(store: fabula.EventStore, rounds: int = 9) -> tuple[float, float]:
    """Median 1-event append with the check and with it stubbed out, rounds interleaved."""
    appends(store, 200)  # warm up
    checked, unchecked = [], []
    for _ in range(rounds):
        checked.append(appends(store, 300))
        # The stores bound the name at import: stub it where they call it.
        with mock.patch(f"{type(store).__module__}.check_json", return_value=None):
            unchecked.append(appends(store, 300))
    return statistics.median(checked), statistics.median(unchecked)


def main() -> None:
    """Print each cost."""
    for label, metadata in (("{}", "{}"), ("object", '{"user":"ana","request":"r-1"}')):
        cost = per_call(partial(json_check.check_json, "s", [event(metadata)]), calls=20000)
        print(f"check_json of 1 event, metadata {label}: {cost:.2f} us")
    registry = fabula.EventRegistry([Created, Stamped])
    encoder = msgspec.json.Encoder()
    created = Created("item-42", "a small item", 3, 9.5)
    stamped = Stamped("item-42", "a small item", 3, datetime.now(UTC))
    for name, value in (("no datetime", created), ("a datetime field", stamped)):
        bare = per_call(partial(encoder.encode, value), calls=20000)
        full = per_call(partial(registry.encode, value), calls=20000)
        print(f"encode, {name}: msgspec {bare:.2f} us, EventRegistry.encode {full:.2f} us")
    with tempfile.TemporaryDirectory() as directory:
        for label, store in (
            ("memory", MemoryStore()),
            ("sqlite", SqliteStore.from_url(f"sqlite:///{Path(directory) / 'b.db'}")),
        ):
            checked, unchecked = append_costs(store)
            store.close()
            print(f"1-event append, {label}: {checked:.1f} us checked, {unchecked:.1f} us not")


if __name__ == "__main__":
    main()
