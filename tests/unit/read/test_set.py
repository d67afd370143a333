from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any, cast

import pytest

from fabula import ConfigurationError
from fabula.cli import status_table
from fabula.read import (
    AsyncProjectionSet,
    ErrorPolicy,
    HandlerError,
    ParkedEventNotFound,
    PositionTimeout,
    ProjectionFailed,
    ProjectionSet,
    Target,
)
from fabula.read.memory import AsyncMemoryTarget
from fabula.store.memory import AsyncMemoryStore

from . import domain
from .domain import Complete, Create, Note, Rename
from .kits import Kit


def _set(kit: Kit, *, on_park: str = "stop") -> ProjectionSet:
    return ProjectionSet(
        kit.store,
        kit.target,
        consumers=[kit.projection],
        registry=kit.registry,
        policy=ErrorPolicy(retries=0, backoff=0.0, on_park=on_park),  # type: ignore[arg-type]
        poll_interval=0.05,
    )


def test_status_reads_the_database_and_formats_as_a_table(kit: Kit) -> None:
    projections = _set(kit)
    one = kit.flow.dispatch(Create("a", "one")).position
    [before] = projections.status()
    assert (before.position, before.head, before.lag_events, before.state) == (0, one, 1, "stopped")
    projections.run_until_caught_up()
    two = kit.flow.dispatch(Rename("a", "two")).position
    [after] = projections.status()
    assert (after.position, after.head, after.lag_events, after.parked) == (one, two, 1, 0)
    table = status_table([after])
    header, row = table.splitlines()
    assert header.split() == [
        "projection",
        "position",
        "head",
        "lag",
        "lag",
        "(s)",
        "state",
        "parked",
        "last",
        "commit",
        "owner",
    ]
    assert row.split()[:4] == ["todo_list", str(one), str(two), "1"]
    assert row.split()[5:7] == ["stopped", "0"]
    assert row.split()[-1] == "-"


def test_status_of_runners_started_by_the_set(kit: Kit) -> None:
    projections = _set(kit)
    projections.start()
    try:
        position = kit.flow.dispatch(Create("a", "one")).position
        projections.wait_for_position(position, timeout=5)
        [status] = projections.status()
        assert status.state in ("live", "catching_up")
        assert status.position == position
    finally:
        projections.stop()


def test_wait_for_position_reads_checkpoints_and_times_out(kit: Kit) -> None:
    projections = _set(kit)
    projections.wait_for_position(None, timeout=0.01)
    position = kit.flow.dispatch(Create("a", "one")).position
    with pytest.raises(PositionTimeout):
        projections.wait_for_position(position, timeout=0.1)
    runner = projections.runner("todo_list")
    thread = threading.Thread(target=runner.run_until_caught_up)
    thread.start()
    projections.wait_for_position(position, timeout=5)
    thread.join()


def test_wait_for_position_fails_fast_on_a_projection_stopped_below_it(kit: Kit) -> None:
    projections = _set(kit)
    poison = kit.flow.dispatch(Create("a", "poison")).position
    position = kit.flow.dispatch(Create("b", "fine")).position
    with pytest.raises(ProjectionFailed):
        projections.run_until_caught_up()
    with pytest.raises(ProjectionFailed) as failed:
        projections.wait_for_position(position, timeout=5)
    assert failed.value.position == poison
    assert projections.status()[0].state == "failed"


def test_retry_parked_applies_a_batch_handlers_event_alone(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    kit.projection = domain.batched(kit.projection, calls)
    projections = _set(kit, on_park="continue")
    kit.flow.dispatch(Create("a", "one"))
    poison = kit.flow.dispatch(Rename("a", "poison")).position
    assert poison is not None
    kit.flow.dispatch(Complete("a"))
    projections.run_until_caught_up()
    assert kit.rows() == [("todo-a", "one", 1, 2)]
    monkeypatch.setattr(domain, "POISON_TITLES", set())  # the bug is fixed
    calls.clear()
    projections.retry_parked("todo_list", poison)
    assert calls == [1]
    assert projections.parked() == []
    assert kit.rows() == [("todo-a", "poison", 1, 3)]


def test_retry_parked_after_a_fix_under_the_stop_policy(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    projections = _set(kit)
    poison = kit.flow.dispatch(Create("a", "poison")).position
    assert poison is not None
    kit.flow.dispatch(Create("b", "fine"))
    with pytest.raises(ProjectionFailed):
        projections.run_until_caught_up()
    [letter] = projections.parked()
    assert (letter.name, letter.position, letter.stream_id) == ("todo_list", poison, "todo-a")

    with pytest.raises(HandlerError):  # still poison: the letter stays, with one more attempt
        projections.retry_parked("todo_list", poison)
    [again] = projections.parked("todo_list")
    assert again.attempts == letter.attempts + 1

    monkeypatch.setattr(domain, "POISON_TITLES", set())  # the bug is fixed
    projections.retry_parked("todo_list", poison)
    assert projections.parked() == []
    assert kit.target.checkpoint("todo_list").position == poison  # moved up past the fixed event
    projections.run_until_caught_up()
    assert kit.rows() == [("todo-a", "poison", 0, 1), ("todo-b", "fine", 0, 1)]
    with pytest.raises(ParkedEventNotFound):
        projections.retry_parked("todo_list", poison)


def test_discard_parked_under_the_continue_policy_keeps_the_checkpoint(kit: Kit) -> None:
    projections = _set(kit, on_park="continue")
    poison = kit.flow.dispatch(Create("a", "poison")).position
    assert poison is not None
    fine = kit.flow.dispatch(Create("b", "fine")).position
    projections.run_until_caught_up()
    assert [letter.position for letter in projections.parked()] == [poison]
    projections.discard_parked("todo_list", poison)
    assert projections.parked() == []
    assert kit.target.checkpoint("todo_list").position == fine
    assert kit.rows() == [("todo-b", "fine", 0, 1)]


def test_rebuild_in_place_equals_a_replay(kit: Kit) -> None:
    projections = _set(kit)
    for i in range(5):
        kit.flow.dispatch(Create(str(i), f"t{i}"))
        kit.flow.dispatch(Note(str(i), "n"))
    projections.run_until_caught_up()
    kit.flow.dispatch(Complete("3"))
    seen: list[tuple[int, int]] = []
    status = projections.rebuild("todo_list", progress=lambda p, h: seen.append((p, h)))
    assert status.position == kit.store.head() == seen[-1][0]
    assert all(head == kit.store.head() for _, head in seen)
    assert kit.rows() == kit.replay()


def test_rebuild_into_a_copy_swaps_it_in(kit: Kit) -> None:
    projections = _set(kit)
    for i in range(5):
        kit.flow.dispatch(Create(str(i), f"t{i}"))
    projections.run_until_caught_up()
    kit.flow.dispatch(Rename("2", "renamed"))
    status = projections.rebuild("todo_list", mode="copy")
    assert status.position == kit.store.head()
    assert kit.rows() == kit.replay()


def test_rebuild_into_a_copy_while_a_runner_follows_and_commands_arrive(kit: Kit) -> None:
    projections = _set(kit)
    for i in range(20):
        kit.flow.dispatch(Create(str(i), f"t{i}"))
    projections.start()
    stop = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set():
            kit.flow.dispatch(Rename(str(i % 20), f"r{i}"))
            i += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        projections.rebuild("todo_list", mode="copy")
        projections.rebuild("todo_list", mode="in_place")
    finally:
        stop.set()
        writer.join()
    try:
        projections.wait_for_position(kit.store.head(), timeout=10)
    finally:
        projections.stop()
    assert kit.rows() == kit.replay()
    assert projections.parked() == []


class _LiveAheadAtEverySwap:
    """Delegates to the kit's target; before every swap, the live runner passes the copy.

    That is what steady writes do to a copy rebuild: between the copy reaching the head
    and the swap, the live runner commits a few events more. The swap must bring the
    copy up to the live position itself, or no attempt ever succeeds.
    """

    def __init__(self, kit: Kit) -> None:
        self._kit = kit
        self.projections: ProjectionSet | None = None
        self.forced: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kit.target, name)

    def swap_in(self, name: str, scratch: Any, /, *, tables: Any, **kw: Any) -> None:
        assert self.projections is not None
        position = self._kit.flow.dispatch(Rename("0", f"forced{len(self.forced)}")).position
        self.projections.wait_for_position(position, timeout=10)
        self.forced.append(position or 0)
        self._kit.target.swap_in(name, scratch, tables=tables, **kw)


def test_rebuild_into_a_copy_converges_while_the_live_runner_keeps_passing_it(
    kit: Kit,
) -> None:
    for i in range(10):
        kit.flow.dispatch(Create(str(i), f"t{i}"))
    wrapped = _LiveAheadAtEverySwap(kit)
    projections = ProjectionSet(
        kit.store,
        cast(Target, wrapped),
        consumers=[kit.projection],
        registry=kit.registry,
        policy=ErrorPolicy(retries=0, backoff=0.0),
        poll_interval=0.05,
    )
    wrapped.projections = projections
    projections.start()
    stop = threading.Event()

    def write() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            kit.flow.dispatch(Rename(str(i % 10), f"w{i}"))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        try:
            status = projections.rebuild("todo_list", mode="copy")
        finally:
            stop.set()
            writer.join()
        projections.wait_for_position(kit.store.head(), timeout=10)
    finally:
        projections.stop()
    assert len(wrapped.forced) == 1  # the first swap caught the copy up and succeeded
    assert status.position >= wrapped.forced[0]
    assert kit.rows() == kit.replay()


def test_rebuild_needs_declared_tables_on_sql_targets(kit: Kit) -> None:
    if kit.kind == "memory":
        pytest.skip("a memory target resets the whole model")
    projection = kit.make_projection("tableless")
    object.__setattr__(projection, "tables", ())
    projections = ProjectionSet(
        kit.store, kit.target, consumers=[projection], registry=kit.registry
    )
    with pytest.raises(ConfigurationError, match="declares no tables"):
        projections.rebuild("tableless")


def test_names_must_be_unique_and_known(kit: Kit) -> None:
    with pytest.raises(ConfigurationError, match="two projections"):
        ProjectionSet(kit.store, kit.target, consumers=[kit.projection, kit.make_projection()])
    with pytest.raises(ConfigurationError, match="no projection or reaction is named 'nope'"):
        _set(kit).status(["nope"])


def _partitioned_set(kit: Kit, partitions: dict[str, int]) -> ProjectionSet:
    return ProjectionSet(
        kit.store,
        kit.target,
        consumers=[kit.projection],
        registry=kit.registry,
        partitions=partitions,
    )


@pytest.mark.parametrize(
    ("partitions", "message"),
    [
        ({"nope": 2}, "no projection or reaction is named 'nope'"),
        ({"todo_list": 0}, "partition 0 of 0: need 0 <= index < count"),
    ],
)
def test_a_partitioned_set_refuses_an_unknown_name_or_no_partitions(
    kit: Kit, partitions: dict[str, int], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _partitioned_set(kit, partitions)


def test_a_partitioned_projection_is_left_to_partitioned_workers(kit: Kit) -> None:
    projections = _partitioned_set(kit, {"todo_list": 4})
    with pytest.raises(ConfigurationError, match="is partitioned: PartitionedWorker runs it"):
        projections.runner("todo_list")
    kit.flow.dispatch(Create("a", "one"))
    projections.start()  # runs what is not partitioned: nothing here
    projections.stop()
    assert kit.target.checkpoint("todo_list").position == 0
    assert projections.partitions == {"todo_list": 4}


def test_an_async_partitioned_projection_is_left_to_partitioned_workers() -> None:
    async def main() -> None:
        projection = domain.todo_dict()
        async with AsyncProjectionSet(
            AsyncMemoryStore(),
            AsyncMemoryTarget(),
            consumers=[projection],
            registry=domain.registry(),
            partitions={projection.name: 2},
        ) as projections:
            with pytest.raises(ConfigurationError, match="is partitioned"):
                projections.runner(projection.name)
        with pytest.raises(ConfigurationError, match="no projection or reaction"):
            AsyncProjectionSet(
                AsyncMemoryStore(),
                AsyncMemoryTarget(),
                consumers=[projection],
                registry=domain.registry(),
                partitions={"nope": 2},
            )

    asyncio.run(main())
