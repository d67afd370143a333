# Generated from test_faults_async.py by tools/unasync.py: do not edit, edit the source.
"""The fault fixes of issue 11, item 9, on the runner and the projection set.

Written for asyncio here; tools/unasync.py generates the sync test_faults.py from it.

Each check takes a case: a store, a target, the todo projection and a projection whose
handler always fails, written for that target (sync handlers here, coroutine handlers in
tests/integration/read/test_postgres_faults.py, which binds PostgreSQL).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from fabula import Flow
from fabula.read import (
    ErrorPolicy,
    LeaseSettings,
    Projection,
    ProjectionFailed,
    ProjectionRunner,
    ProjectionSet,
    Target,
)
from fabula.read.memory import MemoryTarget
from fabula.read.sqlite import SqliteTarget
from fabula.store.memory import MemoryStore
from fabula.store.sqlite import SqliteStore

from . import domain
from .domain import Create, Created
from .faults import sync_failing


@dataclass
class Case:
    store: Any
    target: Target
    projection: Projection
    failing: Callable[[list[int]], Projection]
    flow: Flow

    def dispatch(self, command: object) -> int:
        position = (self.flow.dispatch(command)).position or 0
        for _ in range(1000):  # until readers see it (PostgreSQL's horizon)
            if self.store.head() >= position:
                break
            time.sleep(0.01)
        return position

    def runner(self, projection: Projection, **options: Any) -> ProjectionRunner:
        options.setdefault("policy", ErrorPolicy(backoff=0.0))
        return ProjectionRunner(
            self.store,
            projection,
            target=self.target,
            registry=self.flow.registry,
            poll_interval=0.05,
            **options,
        )


def native_failing(calls: list[int]) -> Projection:
    """A projection that always fails, its handler written like this module (async or not)."""
    failing = Projection("failing")

    @failing.on(Created)
    def created(tx: Any, event: Any) -> None:
        calls.append(event.position)
        raise RuntimeError(f"cannot handle {event.stream_id}")

    return failing


def make_flow(store: Any) -> Flow:
    flow = Flow(store, registry=domain.registry())
    flow.register(domain.Todo, stream_id=domain.stream)
    return flow


@contextmanager
def local_case(kind: str, tmp_path: Path) -> Iterator[Case]:
    if kind == "memory":
        store: Any = MemoryStore()
        target: Target = MemoryTarget()
        projection = domain.todo_dict()
    else:
        store = SqliteStore(str(tmp_path / "events.db"))
        target = SqliteTarget(f"sqlite:///{tmp_path / 'read.db'}")
        projection = domain.todo_sql()
    try:
        yield Case(store, target, projection, sync_failing, make_flow(store))
    finally:
        target.close()
        store.close()


def _until(condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.01)


def check_copy_swap_never_moves_back(case: Case) -> None:
    for i in range(5):
        case.dispatch(Create(str(i), f"t{i}"))
    case.runner(case.projection).run_until_caught_up()
    live_before_swap: list[int] = []
    real = case.target

    class LiveRunsAheadFirst:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def swap_in(self, name: str, scratch: Any, /, *, tables: Any, **kw: Any) -> None:
            if not live_before_swap:
                for i in range(5, 8):
                    case.dispatch(Create(str(i), f"late{i}"))
                status = case.runner(case.projection).run_until_caught_up()
                live_before_swap.append(status.position)
            real.swap_in(name, scratch, tables=tables, **kw)

    projections = ProjectionSet(
        case.store,
        cast(Target, LiveRunsAheadFirst()),
        consumers=[case.projection],
        registry=case.flow.registry,
    )
    status = projections.rebuild(case.projection.name, mode="copy")
    [live] = live_before_swap
    assert status.position >= live == case.store.head()
    assert (real.checkpoint(case.projection.name)).position >= live


def check_retries_outlast_the_lease_and_park(case: Case) -> None:
    calls: list[int] = []
    poison = case.dispatch(Create("a", "never"))
    runner = case.runner(
        case.failing(calls),
        policy=ErrorPolicy(retries=3, backoff=0.2, max_backoff=1.0),
        lease=LeaseSettings(ttl=0.3, acquire_interval=0.05, owner="only"),
    )
    runner.start()
    try:
        _until(lambda: _parked_or_looping(case, calls))
    finally:
        runner.stop()
    [letter] = case.target.dead_letters("failing")
    assert (letter.position, letter.attempts) == (poison, 4)
    assert calls == [poison] * 4


def _parked_or_looping(case: Case, calls: list[int]) -> bool:
    return bool(case.target.dead_letters("failing")) or len(calls) > 9


def check_attempts_survive_a_restart(case: Case) -> None:
    calls: list[int] = []
    policy = ErrorPolicy(retries=3, backoff=0.05, max_backoff=0.05)
    case.dispatch(Create("a", "never"))
    first = case.runner(case.failing(calls), policy=policy)
    first.start()

    def two_calls() -> bool:
        return len(calls) >= 2

    try:
        _until(two_calls)
    finally:
        first.stop()
    with pytest.raises(ProjectionFailed):
        case.runner(case.failing(calls), policy=policy).run_until_caught_up()
    [letter] = case.target.dead_letters("failing")
    assert letter.attempts == len(calls) == 4


def check_wait_caught_up(case: Case) -> None:
    projections = ProjectionSet(
        case.store,
        case.target,
        consumers=[case.projection],
        registry=case.flow.registry,
        poll_interval=0.05,
    )
    projections.start()
    try:
        for i in range(3):
            case.dispatch(Create(str(i), f"t{i}"))
        head = case.store.head()
        [status] = projections.wait_caught_up(timeout=10)
        assert status.position >= head
    finally:
        projections.stop()


CHECKS = [
    check_copy_swap_never_moves_back,
    check_retries_outlast_the_lease_and_park,
    check_attempts_survive_a_restart,
    check_wait_caught_up,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[6:])
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_faults_on_memory_and_sqlite(
    kind: str, check: Callable[[Case], None], tmp_path: Path
) -> None:
    def run() -> None:
        with local_case(kind, tmp_path) as case:
            check(case)

    run()
