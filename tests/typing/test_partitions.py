"""Partitioned workers are typed (mypy --strict and pyright strict)."""

from __future__ import annotations

from typing import assert_type

from fabula.read import (
    PartitionedWorker,
    PartitionOf,
    Projection,
    ProjectionStatus,
    partition_of,
    read_partition_status,
)
from fabula.read.memory import MemoryTarget
from fabula.read.running import Consumer
from fabula.store.memory import MemoryStore


def test_partition_api_types() -> None:
    store, target = MemoryStore(), MemoryTarget()
    part: Consumer = PartitionOf(Projection("typed_parts"), 0, 2)
    assert_type(partition_of("s-1", 2), int)
    worker = PartitionedWorker(store, Projection("typed_parts"), target=target, partitions=2)
    assert_type(worker.owned, list[int])
    statuses = read_partition_status(store, target, "typed_parts", partitions=2)
    assert_type(statuses, list[ProjectionStatus])
    assert part.name == "typed_parts__p0"
