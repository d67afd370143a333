"""Partitioned workers in processes: share, rebalance on join, take over after kill -9."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from fabula.read import open_target, partition_of
from fabula.read.running._partitions import partition_name
from tests.integration.read import worker_app
from tests.integration.read.processes import backend, fill, read_model, wait_until

N = 4


def owners(target_url: str) -> dict[int, str]:
    target = open_target(target_url)
    try:
        found = {}
        for i in range(N):
            lease = target.lease(partition_name(worker_app.NAME, i))
            if lease is not None:
                found[i] = lease.owner
        return found
    finally:
        target.close()


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_two_workers_share_survive_kill_9_and_apply_each_event_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with backend(kind, tmp_path, request) as made:
        fill(made.store_url, range(40))
        first = made.start_worker(app="partition_app", delay=0.01)
        wait_until(lambda: len(owners(made.target_url)) == N, timeout=60, what="first worker")
        made.start_worker(app="partition_app", delay=0.01)
        wait_until(
            lambda: len(set(owners(made.target_url).values())) == 2, timeout=60, what="rebalance"
        )
        fill(made.store_url, range(40, 80))
        first.send_signal(signal.SIGKILL)
        first.wait()
        took = wait_until(
            lambda: (
                len(set(owners(made.target_url).values())) == 1
                and len(owners(made.target_url)) == N
            ),
            timeout=60,
            what="takeover",
        )
        assert took < 30
        wait_until(
            lambda: len(read_model(made.target_url)[1]) == 80 * 4, timeout=120, what="catch-up"
        )
        rows, seen = read_model(made.target_url)
        assert len(seen) == len({position for position, _ in seen}) == 80 * 4
        assert len(rows) == 80
        assert all(applied == 4 and done == 1 for _, _, done, applied in rows), made.worker_logs()


def test_partition_of_is_stable_and_spread() -> None:
    assert partition_of("todo-1", 4) == partition_of("todo-1", 4)
    assert {partition_of(f"s{i}", 4) for i in range(100)} == {0, 1, 2, 3}
