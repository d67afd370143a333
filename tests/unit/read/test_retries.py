"""Retries under leases: a poison event is parked even when its retries outlast the lease.

Issue 11, item 9: the failed attempts rolled the lease's renewal back, the lease expired,
the runner restarted from its checkpoint with the attempt count back at 1, forever.
Retrying keeps the lease, and the attempt count is kept in the target across restarts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from fabula.read import ErrorPolicy, LeaseSettings, Projection, ProjectionFailed, ProjectionSet

from .domain import Create, Created
from .kits import Kit


def _failing(calls: list[int], *, delay: float = 0.0) -> Projection:
    """A projection whose handler always fails (after ``delay`` seconds)."""
    failing = Projection("failing")

    @failing.on(Created)
    def created(tx: Any, event: Any) -> None:
        calls.append(event.position)
        time.sleep(delay)
        raise RuntimeError(f"cannot handle {event.stream_id}")

    return failing


def _until(condition: Callable[[], object], *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.01)


@pytest.mark.parametrize(
    ("policy", "delay"),
    [
        (ErrorPolicy(retries=3, backoff=0.2, max_backoff=1.0), 0.0),  # backoff outlasts the ttl
        (ErrorPolicy(retries=2, backoff=0.0), 0.4),  # each attempt outlasts the ttl
    ],
    ids=["long-backoff", "slow-handler"],
)
def test_retries_that_outlast_the_lease_keep_it_and_park(
    kit: Kit, policy: ErrorPolicy, delay: float
) -> None:
    calls: list[int] = []
    poison = kit.flow.dispatch(Create("a", "never")).position
    runner = kit.runner(
        _failing(calls, delay=delay),
        policy=policy,
        lease=LeaseSettings(ttl=0.3, acquire_interval=0.05, owner="only"),
    )
    runner.start()
    try:
        _until(lambda: kit.target.dead_letters("failing") or len(calls) > 3 * policy.retries)
    finally:
        runner.stop()
    [letter] = kit.target.dead_letters("failing")
    assert (letter.position, letter.attempts) == (poison, policy.retries + 1)
    assert calls == [poison] * (policy.retries + 1)
    assert runner.state == "failed"


def test_the_attempt_count_survives_a_restart(kit: Kit) -> None:
    calls: list[int] = []
    poison = kit.flow.dispatch(Create("a", "never")).position
    policy = ErrorPolicy(retries=3, backoff=0.05, max_backoff=0.05)
    first = kit.runner(_failing(calls), policy=policy)
    first.start()
    try:
        _until(lambda: len(calls) >= 2)
    finally:
        first.stop()
    assert kit.target.dead_letters() == []
    with pytest.raises(ProjectionFailed):
        kit.runner(_failing(calls), policy=policy).run_until_caught_up()
    [letter] = kit.target.dead_letters("failing")
    assert (letter.position, letter.attempts) == (poison, 4)
    assert len(calls) == 4  # not 2 + 4: the second runner went on counting


def test_another_process_sees_retrying_the_error_and_the_attempts(kit: Kit) -> None:
    calls: list[int] = []
    kit.flow.dispatch(Create("a", "never"))
    failing = _failing(calls)
    runner = kit.runner(
        failing,
        policy=ErrorPolicy(retries=1000, backoff=0.02, max_backoff=0.02),
        lease=LeaseSettings(ttl=2.0, owner="busy"),
    )
    elsewhere = ProjectionSet(kit.store, kit.target, consumers=[failing], registry=kit.registry)
    runner.start()
    try:
        _until(lambda: len(calls) >= 3)
        [status] = elsewhere.status()
        assert status.state == "retrying"
        assert status.owner == "busy"
        assert status.error == "RuntimeError: cannot handle todo-a"
        assert status.attempts >= 2
        assert status.last_error == status.error
        assert status.last_error_at is not None
    finally:
        runner.stop()
    [stopped] = elsewhere.status()
    assert stopped.state == "stopped"
    assert stopped.last_error == "RuntimeError: cannot handle todo-a"
