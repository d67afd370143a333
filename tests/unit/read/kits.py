"""Store + target + projection combinations the runner tests run on."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fabula import DispatchResult, EventStore, Flow
from fabula.codec import EventRegistry
from fabula.read import ErrorPolicy, LeaseSettings, Projection, ProjectionRunner, Target
from fabula.read.memory import MemoryTarget
from fabula.read.sqlite import SqliteTarget
from fabula.store.memory import MemoryStore
from fabula.store.sqlite import SqliteStore

from . import domain


class SettlingFlow:
    """A flow whose ``dispatch`` returns once the store's readers can see the events.

    PostgreSQL shows an event to readers only once every older writing transaction of
    the cluster has ended (its "horizon"); tests that read right after writing wait here.
    """

    def __init__(self, flow: Flow) -> None:
        self._flow = flow

    def dispatch(self, command: object, /, **options: Any) -> DispatchResult:
        result = self._flow.dispatch(command, **options)
        deadline = time.monotonic() + 10
        while result.position is not None and self._flow.store.head() < result.position:
            assert time.monotonic() < deadline, "the store's head did not reach the dispatch"
            time.sleep(0.005)
        return result


@dataclass
class Kit:
    kind: str
    store: EventStore
    target: Target
    make_target: Callable[[], Target]
    make_projection: Callable[..., Projection]
    read_rows: Callable[[Target, str], list[tuple[Any, ...]]]
    registry: EventRegistry = field(default_factory=domain.registry)
    projection: Projection = field(init=False)
    flow: SettlingFlow = field(init=False)

    def __post_init__(self) -> None:
        self.projection = self.make_projection()
        self.flow = SettlingFlow(domain.make_flow(self.store))

    def runner(
        self,
        projection: Projection | None = None,
        *,
        target: Target | None = None,
        policy: ErrorPolicy | None = None,
        lease: LeaseSettings | None = None,
        **options: Any,
    ) -> ProjectionRunner:
        return ProjectionRunner(
            self.store,
            projection if projection is not None else self.projection,
            target=target if target is not None else self.target,
            registry=self.registry,
            policy=policy if policy is not None else ErrorPolicy(backoff=0.0),
            lease=lease,
            poll_interval=0.05,
            **options,
        )

    def rows(self, target: Target | None = None, name: str = "todo_list") -> list[tuple[Any, ...]]:
        return self.read_rows(target if target is not None else self.target, name)

    def replay(self, name: str = "todo_list") -> list[tuple[Any, ...]]:
        """The read model a fresh target builds from the whole log."""
        fresh = self.make_target()
        try:
            self.runner(self.make_projection(name), target=fresh).run_until_caught_up()
            return self.rows(fresh, name)
        finally:
            fresh.close()


def _memory_rows(target: Target, name: str) -> list[tuple[Any, ...]]:
    assert isinstance(target, MemoryTarget)
    return domain.dict_rows(target.model(name))


def _sqlite_rows(target: Target, name: str) -> list[tuple[Any, ...]]:
    assert isinstance(target, SqliteTarget)
    return target.read(lambda conn: domain.sql_rows(conn, name))


def make_kit(kind: str, tmp_path: Path) -> Kit:
    if kind == "memory":
        return Kit(
            kind,
            MemoryStore(),
            MemoryTarget(),
            MemoryTarget,
            domain.todo_dict,
            _memory_rows,
        )
    counter = iter(range(1_000_000))
    store_path = tmp_path / "events.db"
    store = SqliteStore(str(store_path))
    # "sqlite-shared": the read models live in the event store's own file
    target_path = tmp_path / "read.db" if kind == "sqlite" else store_path

    def fresh() -> Target:
        return SqliteTarget(str(tmp_path / f"replay-{next(counter)}.db"))

    return Kit(kind, store, SqliteTarget(str(target_path)), fresh, domain.todo_sql, _sqlite_rows)


KINDS = ["memory", "sqlite", "sqlite-shared"]


@pytest.fixture(params=KINDS)
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    made = make_kit(request.param, tmp_path)
    yield made
    made.target.close()
    made.store.close()
