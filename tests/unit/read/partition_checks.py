"""A partition's page filter, checked on every backend (memory, SQLite, PostgreSQL kits)."""

from __future__ import annotations

import time
from typing import Any, cast

from fabula import uuid7
from fabula.read import ErrorPolicy, PartitionOf, ProjectionRunner, Target, partition_of
from fabula.read.running._partitions import partition_name
from fabula.store import NewEvent

from .domain import Create
from .kits import Kit

N = 4


def todos_of(partition: int, count: int) -> list[str]:
    """``count`` todo ids whose streams (``todo-{id}``) fall in ``partition`` of N."""
    found: list[str] = []
    i = 0
    while len(found) < count:
        if partition_of(f"todo-t{i}", N) == partition:
            found.append(f"t{i}")
        i += 1
    return found


class CountingTarget:
    """A target that counts the commits made through it."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self.commits = 0

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._target, attribute)

    def commit(self, name: str, /, **options: Any) -> None:
        self.commits += 1
        self._target.commit(name, **options)


def runner(kit: Kit, index: int, target: Target | None = None, **options: Any) -> ProjectionRunner:
    return ProjectionRunner(
        kit.store,
        PartitionOf(kit.projection, index, N),
        target=target if target is not None else kit.target,
        registry=kit.registry,
        policy=ErrorPolicy(retries=0, backoff=0.0, on_park="continue"),
        poll_interval=0.05,
        **options,
    )


def check_foreign_event_is_never_decoded(kit: Kit) -> None:
    """An event that cannot decode, in partition 1's stream: partition 0 never parks it."""
    first, second = todos_of(0, 2)
    (foreign,) = todos_of(1, 1)
    kit.flow.dispatch(Create(first, "mine"))
    broken = NewEvent(event_id=uuid7(), type="todo_created", data="{}")  # no title: fails to decode
    kit.store.append(f"todo-{foreign}", [broken])
    kit.flow.dispatch(Create(second, "mine too"))
    head = kit.store.head()
    for index in (0, 1):
        assert runner(kit, index).run_until_caught_up().position == head
    assert kit.target.dead_letters(partition_name(kit.projection.name, 0)) == []
    parked = kit.target.dead_letters(partition_name(kit.projection.name, 1))
    assert [letter.stream_id for letter in parked] == [f"todo-{foreign}"]


def check_no_commit_for_foreign_pages(kit: Kit) -> None:
    """Pages of only other partitions' events are passed without a commit of their own."""
    kit.projection = kit.make_projection(batch_size=5)
    (mine,) = todos_of(0, 1)
    kit.flow.dispatch(Create(mine, "mine"))
    for todo in todos_of(1, 60):
        kit.flow.dispatch(Create(todo, "foreign"))
    head = kit.store.head()
    counting = CountingTarget(kit.target)
    status = runner(kit, 0, cast("Target", counting)).run_until_caught_up()
    assert status.position == head  # one commit of its event, one that passes the rest
    assert counting.commits == 2


def check_idle_partition_commits_what_it_passed(kit: Kit) -> None:
    """A running partition that saw only others' events commits their position, later."""
    kit.projection = kit.make_projection(batch_size=5)
    running = runner(kit, 0)
    running.start()
    try:
        for todo in todos_of(1, 12):
            kit.flow.dispatch(Create(todo, "foreign"))
        head = kit.store.head()
        deadline = time.monotonic() + 30
        name = partition_name(kit.projection.name, 0)
        while kit.target.checkpoint(name).position < head:
            assert time.monotonic() < deadline, "the passed position was never committed"
            time.sleep(0.05)
        assert running.position == head
    finally:
        running.stop()
