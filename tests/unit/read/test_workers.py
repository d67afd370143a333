"""A worker keeps its projections alive: one stopped on a parked event resumes after retry.

Issue 11, item 9: under ``on_park="stop"`` the runner stopped, the worker went on without
it, and a retry took effect only once every worker was restarted.
"""

from __future__ import annotations

import threading

import pytest

from fabula.read import ErrorPolicy, LeaseSettings, ProjectionSet, run_worker

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
    lease = LeaseSettings(ttl=1.0, standby_poll=0.05, owner="worker-1")
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
