"""Partitioned workers in one process (SQLite): share, rebalance, status, reset."""

from __future__ import annotations

import time

import pytest

from fabula import ConfigurationError
from fabula.read import (
    LeaseSettings,
    PartitionedWorker,
    PartitionOf,
    read_partition_status,
    reset_partitions,
)
from fabula.read.running._partitions import partition_name

from .domain import Complete, Create, Rename
from .kits import Kit

N = 4


def _until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _worker(kit: Kit, owner: str) -> PartitionedWorker:
    return PartitionedWorker(
        kit.store,
        kit.projection,
        target=kit.target,
        partitions=N,
        registry=kit.registry,
        lease=LeaseSettings(ttl=0.6, acquire_interval=0.05, owner=owner),
        poll_interval=0.05,
    )


@pytest.mark.parametrize("kit", ["sqlite", "sqlite-shared"], indirect=True)
def test_workers_share_rebalance_and_rebuild(kit: Kit) -> None:
    for i in range(20):
        kit.flow.dispatch(Create(f"t{i}", f"title {i}"))
        kit.flow.dispatch(Rename(f"t{i}", f"renamed {i}"))
    head = kit.store.head()

    def status() -> list[tuple[int, str | None]]:
        found = read_partition_status(kit.store, kit.target, "todo_list", partitions=N)
        return [(s.position, s.owner) for s in found]

    one, two = _worker(kit, "one"), _worker(kit, "two")
    one.start()
    _until(lambda: all(p >= head for p, _ in status()))
    assert {o for _, o in status()} == {"one"}
    two.start()  # joins: takes half the partitions
    _until(lambda: sorted(o or "" for _, o in status()) == ["one", "one", "two", "two"])
    kit.flow.dispatch(Complete("t3"))
    head = kit.store.head()
    _until(lambda: all(p >= head for p, _ in status()))
    assert kit.rows() == kit.replay()
    one.stop()  # leaves: two takes everything
    _until(lambda: {o for _, o in status()} == {"two"})
    assert two.owned == list(range(N))
    two.stop()
    reset_partitions(kit.target, "todo_list", partitions=N, tables=["todo_list"])
    assert kit.rows() == []
    assert {p for p, _ in status()} == {0}
    again = _worker(kit, "three")
    again.start()
    _until(lambda: all(p >= head for p, _ in status()))
    again.stop()
    assert kit.rows() == kit.replay()


def test_partition_of_refuses_a_bad_index(kit: Kit) -> None:
    with pytest.raises(ConfigurationError):
        PartitionOf(kit.projection, 4, 4)
    with pytest.raises(ConfigurationError):
        _worker(kit, "x").__class__(kit.store, kit.projection, target=kit.target, partitions=0)


@pytest.mark.parametrize("kit", ["sqlite"], indirect=True)
def test_workers_that_join_first_split_the_partitions_at_once(kit: Kit) -> None:
    for i in range(12):
        kit.flow.dispatch(Create(f"t{i}", f"title {i}"))
    head = kit.store.head()
    one, two = (
        PartitionedWorker(
            kit.store,
            kit.projection,
            target=kit.target,
            partitions=N,
            registry=kit.registry,
            lease=LeaseSettings(ttl=20.0, acquire_interval=0.05, owner=owner),
            poll_interval=0.05,
        )
        for owner in ("one", "two")
    )
    one.join()
    two.join()  # counted, though not started: one takes its share only, never more
    one.start()
    try:
        _until(lambda: len(one.owned) == N // 2)
        mine = [partition_name("todo_list", i) for i in one.owned]
        _until(lambda: all(kit.target.checkpoint(n).position >= head for n in mine))
        statuses = read_partition_status(kit.store, kit.target, "todo_list", partitions=N)
        assert sorted(s.owner or "-" for s in statuses) == ["-", "-", "one", "one"]
        two.start()
        _until(lambda: len(two.owned) == N // 2)
        assert len(one.owned) == N // 2
    finally:
        one.stop()
        two.stop()
    assert kit.rows() == kit.replay()
