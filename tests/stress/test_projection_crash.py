"""kill -9 a projection worker mid-batch, restart it: the read model equals a replay.

The worker applies 50 events per transaction, sleeping 2 ms per event, so a kill lands
inside a batch almost surely. The read model, its checkpoint and ``todo_seen`` (one row
per applied event) must then hold exactly the committed batches: the restarted worker
goes on from the checkpoint, and the end result equals a from-scratch replay, with
every event applied exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.integration.read.processes import (
    backend,
    checkpoint,
    fill,
    head,
    read_model,
    replay,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_mid_batch_then_restart_equals_a_replay(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with backend(kind, tmp_path, request) as made:
        last = fill(made.store_url, range(300))  # 1500 events, 1200 handled
        wait_until(lambda: head(made.store_url) >= last, timeout=10, what="the store's head")
        for kill in range(2):
            worker = made.start_worker(delay=0.002)
            floor = checkpoint(made.target_url) if kill else 0

            def committed(floor: int = floor) -> bool:
                return checkpoint(made.target_url) > floor

            wait_until(committed, timeout=30, what="the worker to commit a batch")
            time.sleep(random.uniform(0.0, 0.1))  # somewhere inside the next batch
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
            assert checkpoint(made.target_url) < last, "the kill came after the end"
            _, seen = read_model(made.target_url)
            # Only whole batches are there: one seen row per applied event, no more.
            assert len(seen) == len({position for position, _ in seen})
            assert max((p for p, _ in seen), default=0) <= checkpoint(made.target_url)
        made.start_worker()
        took = wait_until(
            lambda: checkpoint(made.target_url) >= last, timeout=60, what="the restarted worker"
        )
        made.stop_workers()
        rows, seen = read_model(made.target_url)
        assert rows == replay(made)
        assert len(seen) == 1200 == len({position for position, _ in seen})
        assert "parked" not in made.worker_logs(), made.worker_logs()
        print(f"{kind}: caught up {took:.1f}s after the last restart")
