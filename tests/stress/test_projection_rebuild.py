"""Rebuild a projection while a worker runs it and commands keep arriving.

A worker process follows the log; this process keeps dispatching commands, and rebuilds
the projection meanwhile: into a copy (swapped in when complete), then in place. After
the writers stop and the worker catches up, the read model equals a from-scratch replay
and every event was applied exactly once to it (``todo_seen``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from fabula.store import open_store
from tests.integration.read import worker_app
from tests.integration.read.processes import (
    backend,
    checkpoint,
    fill,
    head,
    read_model,
    replay,
    wait_until,
)
from tests.unit.read import domain
from tests.unit.read.domain import Complete, Create, Rename

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_rebuild_while_commands_arrive_equals_a_replay(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with backend(kind, tmp_path, request) as made:
        fill(made.store_url, range(200))  # 1000 events before the rebuilds
        store = open_store(made.store_url)
        flow = domain.make_flow(store)
        made.start_worker(delay=0.0005)
        stop = threading.Event()
        written: list[int] = []

        def write() -> None:
            i = 1000
            while not stop.is_set():
                flow.dispatch(Create(str(i), f"t{i}"))
                flow.dispatch(Rename(str(i % 1100), f"r{i}"))
                written.append(flow.dispatch(Complete(str(i))).position or 0)
                i += 1
                time.sleep(0.003)

        writer = threading.Thread(target=write)
        writer.start()
        progress: list[tuple[int, int]] = []
        projections = worker_app.make(made.store_url, made.target_url)
        try:
            wait_until(lambda: checkpoint(made.target_url) > 0, timeout=30, what="the worker")
            copy = projections.rebuild(
                worker_app.NAME, mode="copy", progress=lambda p, h: progress.append((p, h))
            )
            in_place = projections.rebuild(worker_app.NAME, mode="in_place")
            time.sleep(0.3)
        finally:
            stop.set()
            writer.join()
            projections.close()
        assert progress
        assert copy.parked == in_place.parked == 0
        last = written[-1]
        wait_until(lambda: head(made.store_url) >= last, timeout=10, what="the store's head")
        wait_until(lambda: checkpoint(made.target_url) >= last, timeout=30, what="catch-up")
        made.stop_workers()
        store.close()

        rows, seen = read_model(made.target_url)
        assert rows == replay(made)
        handled = 800 + 3 * len(written)
        assert len(seen) == handled == len({position for position, _ in seen})
        assert "parked" not in made.worker_logs()
        print(f"{kind}: {len(written)} commands during the rebuilds, {handled} events in all")
