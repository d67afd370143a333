"""Random sequences of lifecycle operations give the same outcomes on every backend.

Each seed draws appends (with preconditions), archive, unarchive, delete, truncate, reads,
listings and states over three streams; SQLite and PostgreSQL must answer each step as the
memory store (the reference) does: the same value, or the same error class. Positions are
left out (PostgreSQL's are not consecutive).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    EventStore,
    ExpectedVersion,
    Precondition,
    StreamAppend,
    open_store,
)
from fabula.testing.conformance._events import new_events

SEEDS = range(12)
STEPS = 30


def _precondition(rng: random.Random) -> Precondition:
    choices: list[Precondition] = [ANY_VERSION, NO_STREAM, STREAM_EXISTS]
    return rng.choice([*choices, ExpectedVersion(rng.randint(0, 6))])


def _step(store: EventStore, rng: random.Random, prefix: str) -> Callable[[], object]:
    streams = [f"{prefix}{c}" for c in "abc"]
    stream = rng.choice(streams)
    kind = rng.choice(
        ["append", "append", "append", "batch", "archive", "unarchive", "delete", "truncate",
         "read", "list", "state"]
    )  # fmt: skip
    if kind == "append":
        count, precondition = rng.randint(0, 2), _precondition(rng)
        return lambda: store.append(stream, new_events(count), precondition=precondition).version
    if kind == "batch":
        other = rng.choice(streams)
        batch = [
            StreamAppend(stream, new_events(rng.randint(0, 1)), _precondition(rng)),
            StreamAppend(other, new_events(1), ANY_VERSION),
        ]
        if other == stream:
            batch.pop()
        return lambda: [r.version for r in store.append_many(batch)]
    if kind == "archive":
        return lambda: store.archive_stream(stream)
    if kind == "unarchive":
        return lambda: store.unarchive_stream(stream)
    if kind == "delete":
        return lambda: store.delete_stream(stream).version
    if kind == "truncate":
        before = rng.randint(0, 6)
        return lambda: store.truncate_stream(stream, before=before)
    if kind == "read":
        low = rng.choice([None, 1, 2, 3])
        return lambda: [e.version for e in store.read_stream(stream, from_version=low)]
    if kind == "list":
        status = rng.choice(["live", "archived", "deleted"])
        return lambda: (
            [(i.stream_id, i.version) for i in store.list_streams(prefix, status=status)],  # type: ignore[arg-type]
            store.count_streams(prefix, status=status),  # type: ignore[arg-type]
        )
    return lambda: store.stream_state(stream)


def _trace(store: EventStore, seed: int) -> list[object]:
    rng = random.Random(seed)
    prefix = f"life{seed}-"
    trace: list[object] = []
    for _ in range(STEPS):
        step = _step(store, rng, prefix)
        try:
            trace.append(step())
        except Exception as error:  # the class is the outcome compared
            trace.append(type(error).__name__)
    return trace


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'diff.db'}"
    schema_url: str = request.getfixturevalue("postgres_schema_url")
    return schema_url


def test_every_backend_answers_as_the_memory_store(url: str) -> None:
    with open_store(url) as store:
        for seed in SEEDS:
            with open_store("memory://") as reference:
                expected = _trace(reference, seed)
            assert _trace(store, seed) == expected, f"seed {seed}"
