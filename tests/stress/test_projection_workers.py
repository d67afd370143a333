"""Two workers for one projection: only the lease holder works; kill -9 it, the other takes over.

Commands keep arriving from this process while the workers run. ``todo_seen`` records
each applied event with the pid of the worker that applied it: its primary key proves
no event was applied twice, and the pids show the handover (every event the second
worker applied comes after every event the first one applied).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from fabula.read import open_target
from fabula.store import open_store
from tests.integration.read import worker_app
from tests.integration.read.processes import (
    backend,
    checkpoint,
    head,
    read_model,
    replay,
    wait_until,
)
from tests.unit.read import domain
from tests.unit.read.domain import Complete, Create, Rename

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

TTL = 2.0  # renewed every 0.7 s: a loaded machine may stall a worker 1 s without a handover


def _owner(target_url: str) -> str | None:
    target = open_target(target_url)
    try:
        lease = target.lease(worker_app.NAME)
        return None if lease is None else lease.owner
    finally:
        target.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_one_worker_at_a_time_and_a_kill_hands_over(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with backend(kind, tmp_path, request) as made:
        store = open_store(made.store_url)
        flow = domain.make_flow(store)
        stop = threading.Event()
        written: list[int] = []

        def write() -> None:
            i = 0
            while not stop.is_set():
                flow.dispatch(Create(str(i), f"t{i}"))
                flow.dispatch(Rename(str(i), f"r{i}"))
                written.append(flow.dispatch(Complete(str(i))).position or 0)
                i += 1
                time.sleep(0.002)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            workers = [made.start_worker(delay=0.001, ttl=TTL) for _ in range(2)]
            wait_until(lambda: _owner(made.target_url) is not None, timeout=30, what="a lease")
            wait_until(lambda: checkpoint(made.target_url) > 0, timeout=30, what="progress")
            time.sleep(1.0)
            owner = _owner(made.target_url)
            assert owner is not None
            active = next(w for w in workers if f":{w.pid}:" in owner)
            standby = next(w for w in workers if w is not active)
            os.kill(active.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            active.wait(10)
            before = checkpoint(made.target_url)
            wait_until(
                lambda: f":{standby.pid}:" in (_owner(made.target_url) or ""),
                timeout=10,
                what="the standby to take the lease",
            )
            wait_until(lambda: checkpoint(made.target_url) > before, timeout=10, what="progress")
            handover = time.monotonic() - killed_at
            time.sleep(0.5)
        finally:
            stop.set()
            writer.join()
        last = written[-1]
        wait_until(lambda: head(made.store_url) >= last, timeout=10, what="the store's head")
        wait_until(lambda: checkpoint(made.target_url) >= last, timeout=30, what="catch-up")
        made.stop_workers()
        store.close()

        rows, seen = read_model(made.target_url)
        assert rows == replay(made)
        handled = 3 * len(written)
        assert len(seen) == handled == len({position for position, _ in seen})
        by_pid: dict[int, list[int]] = {}
        for position, pid in seen:
            by_pid.setdefault(pid, []).append(position)
        assert set(by_pid) == {active.pid, standby.pid}
        assert max(by_pid[active.pid]) < min(by_pid[standby.pid])
        assert "parked" not in made.worker_logs()
        assert handover < TTL + 2.0
        print(f"{kind}: {handled} events, handover {handover:.2f}s after kill -9 (ttl {TTL}s)")
