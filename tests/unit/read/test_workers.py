"""A worker keeps its projections alive: one stopped on a parked event resumes after retry.

Issue 11, item 9: under ``on_park="stop"`` the runner stopped, the worker went on without
it, and a retry took effect only once every worker was restarted.
"""

from __future__ import annotations

import threading

import pytest

from fabula import StoreError
from fabula.read import Checkpoint, ErrorPolicy, LeaseSettings, ProjectionSet, run_worker
from fabula.read.memory import MemoryTarget
from fabula.store.memory import MemoryStore

from . import domain
from .domain import Create
from .kits import Kit
from .test_retries import _until


def test_a_worker_resumes_a_projection_once_its_parked_event_is_retried(
    kit: Kit, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="fabula.read")
    projections = ProjectionSet(
        kit.store,
        kit.target,
        consumers=[kit.projection],
        registry=kit.registry,
        policy=ErrorPolicy(retries=0, backoff=0.0),
        poll_interval=0.05,
    )
    poison = kit.flow.dispatch(Create("a", "poison")).position
    assert poison is not None
    stop = threading.Event()
    lease = LeaseSettings(ttl=1.0, acquire_interval=0.05, owner="worker-1")
    worker = threading.Thread(
        target=run_worker, args=(projections,), kwargs={"lease": lease, "stop": stop}
    )
    worker.start()
    try:
        _until(lambda: projections.parked("todo_list"))
        assert projections.status()[0].state == "failed"
        monkeypatch.setattr(domain, "POISON_TITLES", set())  # the bug is fixed
        projections.retry_parked("todo_list", poison)
        after = kit.flow.dispatch(Create("b", "after")).position
        projections.wait_for_position(after, timeout=10)  # resumed: no worker restart
        assert projections.status()[0].state in ("live", "catching_up")
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert kit.rows() == [("todo-a", "poison", 0, 1), ("todo-b", "after", 0, 1)]
    logged = caplog.text
    assert "worker-1 took the lease" in logged
    assert "resumes" in logged


class _Flaky(MemoryTarget):
    """A memory target whose checkpoint reads fail while ``down`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = threading.Event()
        self.refused = 0

    def checkpoint(self, name: str, /) -> Checkpoint:
        if self.down.is_set():
            self.refused += 1
            raise StoreError("the read-model database is down")
        return super().checkpoint(name)


def test_a_worker_outlives_a_database_outage_while_a_projection_is_parked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, target = MemoryStore(), _Flaky()
    flow = domain.make_flow(store)
    projections = ProjectionSet(
        store,
        target,
        consumers=[domain.todo_dict()],
        registry=domain.registry(),
        policy=ErrorPolicy(retries=0, backoff=0.0),
        poll_interval=0.05,
    )
    poison = flow.dispatch(Create("a", "poison")).position
    assert poison is not None
    stop = threading.Event()
    lease = LeaseSettings(ttl=1.0, acquire_interval=0.05)
    worker = threading.Thread(
        target=run_worker, args=(projections,), kwargs={"lease": lease, "stop": stop}
    )
    worker.start()
    try:
        _until(lambda: target.dead_letters("todo_list"))
        target.down.set()
        _until(lambda: target.refused >= 2)
        target.down.clear()
        assert worker.is_alive()
        monkeypatch.setattr(domain, "POISON_TITLES", set())
        projections.retry_parked("todo_list", poison)
        after = flow.dispatch(Create("b", "after")).position
        projections.wait_for_position(after, timeout=10)
    finally:
        stop.set()
        worker.join(10)
