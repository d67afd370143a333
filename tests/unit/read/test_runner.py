from __future__ import annotations

import threading
import time

import pytest

from fabula.app import uuid7
from fabula.read import (
    ErrorPolicy,
    LeaseSettings,
    PositionTimeout,
    ProjectionFailed,
)
from fabula.store import NewEvent

from . import domain
from .domain import Complete, Create, Note, Rename
from .kits import Kit


def _fill(kit: Kit, count: int = 3) -> int | None:
    position = None
    for i in range(count):
        kit.flow.dispatch(Create(str(i), f"task {i}"))
        kit.flow.dispatch(Rename(str(i), f"task {i}!"))
        position = kit.flow.dispatch(Note(str(i), "other type")).position
    kit.flow.dispatch(Complete("0"))
    return position


def test_catches_up_and_passes_events_of_other_types(kit: Kit) -> None:
    _fill(kit)
    kit.flow.dispatch(Note("0", "last event is of a type the projection ignores"))
    status = kit.runner().run_until_caught_up()
    assert kit.rows() == [
        ("todo-0", "task 0!", 1, 3),
        ("todo-1", "task 1!", 0, 2),
        ("todo-2", "task 2!", 0, 2),
    ]
    head = kit.store.head()
    assert (status.position, status.head, status.lag_events, status.parked) == (head, head, 0, 0)
    assert status.lag_seconds == 0.0
    assert kit.target.checkpoint("todo_list").position == head


def test_follows_live_and_waits_for_a_dispatched_position(kit: Kit) -> None:
    runner = kit.runner()
    runner.start()
    try:
        result = kit.flow.dispatch(Create("a", "live"))
        assert runner.wait_for_position(result.position, timeout=5) >= result.position  # type: ignore[operator]
        assert kit.rows() == [("todo-a", "live", 0, 1)]
        result = kit.flow.dispatch(Rename("a", "again"))
        runner.wait_for_position(result.position, timeout=5)
        assert kit.rows() == [("todo-a", "again", 0, 2)]
        assert runner.status().state == "live"
    finally:
        runner.stop()
    assert runner.state == "stopped"


def test_a_page_is_one_transaction_up_to_the_batch_size(kit: Kit) -> None:
    _fill(kit, 4)  # 9 handled events, with notes (another type) between them
    handled = [e.position for e in kit.store.read_all() if e.type != "todo_noted"]
    commits: list[int] = []
    kit.runner(progress=commits.append).run_until_caught_up()
    assert commits == [kit.store.head()]

    other = kit.make_projection("todo_small", batch_size=4)
    small: list[int] = []
    kit.runner(other, progress=small.append).run_until_caught_up()
    assert small == [handled[3], handled[7], handled[8]]  # groups of at most 4
    assert kit.rows(name="todo_small") == kit.rows()


def test_handlers_that_refuse_batching_get_a_transaction_each(kit: Kit) -> None:
    _fill(kit, 2)
    projection = kit.make_projection("todo_alone")
    projection.handlers._entries = {  # rebuild the table with batch=False for renames
        cls: type(entry)(entry.handler, cls.__name__ != "Renamed")
        for cls, entry in projection.handlers._entries.items()
    }
    commits: list[int] = []
    kit.runner(projection, progress=commits.append).run_until_caught_up()
    # created(0) | renamed(0) | created(1) | renamed(1) | completed(0) + trailing notes
    assert len(commits) == 5
    assert kit.rows(name="todo_alone") == kit.replay()


def test_a_batch_handler_gets_each_run_of_its_events_in_one_call(kit: Kit) -> None:
    kit.flow.dispatch(Create("a", "one"))
    kit.flow.dispatch(Rename("a", "two"))
    kit.flow.dispatch(Complete("a"))
    kit.flow.dispatch(Rename("a", "three"))
    kit.flow.dispatch(Create("b", "other"))  # ends the run: its handler is a plain one
    kit.flow.dispatch(Rename("b", "other!"))
    calls: list[int] = []
    kit.runner(domain.batched(kit.make_projection(), calls)).run_until_caught_up()
    assert calls == [3, 1]
    assert kit.rows() == [("todo-a", "three", 1, 4), ("todo-b", "other!", 0, 2)]
    assert kit.rows() == kit.replay()  # the same read model as one handler per event

    small: list[int] = []  # a transaction (batch_size) also ends a run
    projection = domain.batched(kit.make_projection("todo_small", batch_size=2), small)
    kit.runner(projection).run_until_caught_up()
    assert small == [1, 2, 1]
    assert kit.rows(name="todo_small") == kit.rows()


def test_a_failing_batch_is_applied_again_one_event_at_a_time(kit: Kit) -> None:
    kit.flow.dispatch(Create("a", "one"))
    kit.flow.dispatch(Rename("a", "two"))
    poison = kit.flow.dispatch(Rename("a", "poison"))
    kit.flow.dispatch(Complete("a"))
    calls: list[int] = []
    projection = domain.batched(kit.make_projection(), calls)
    policy = ErrorPolicy(retries=0, backoff=0.0, on_park="continue")
    status = kit.runner(projection, policy=policy).run_until_caught_up()
    assert calls == [3, 1, 1, 1]  # the batch rolled back, then one event per transaction
    assert kit.rows() == [("todo-a", "two", 1, 3)]  # everything but the poison, once each
    assert status.position == kit.store.head()
    [letter] = kit.target.dead_letters("todo_list")
    assert (letter.stream_id, letter.version, letter.position) == ("todo-a", 3, poison.position)
    assert letter.error == "Poison: todo-a"


def test_a_new_runner_resumes_from_the_checkpoint(kit: Kit) -> None:
    _fill(kit, 2)
    kit.runner().run_until_caught_up()
    kit.flow.dispatch(Rename("1", "later"))
    commits: list[int] = []
    kit.runner(progress=commits.append).run_until_caught_up()
    assert len(commits) == 1
    assert kit.rows() == kit.replay()
    assert ("todo-1", "later", 0, 3) in kit.rows()


def test_poison_event_is_parked_and_the_stop_policy_stops_before_it(kit: Kit) -> None:
    fine = kit.flow.dispatch(Create("a", "fine"))
    poison = kit.flow.dispatch(Create("b", "poison"))
    kit.flow.dispatch(Create("c", "after"))
    runner = kit.runner(policy=ErrorPolicy(retries=2, backoff=0.0, on_park="stop"))
    with pytest.raises(ProjectionFailed) as failed:
        runner.run_until_caught_up()
    assert failed.value.position == poison.position
    assert kit.rows() == [("todo-a", "fine", 0, 1)]  # applied one by one before the poison
    assert kit.target.checkpoint("todo_list").position == fine.position
    [letter] = kit.target.dead_letters("todo_list")
    assert (letter.stream_id, letter.version, letter.position) == ("todo-b", 1, poison.position)
    assert letter.type == "todo_created"
    assert letter.event_id == poison.events[0].event_id
    assert letter.error == "Poison: todo-b"
    assert "Poison" in letter.details
    assert letter.attempts == 3
    status = runner.status()
    assert (status.state, status.parked) == ("failed", 1)
    assert status.error == "Poison: todo-b"
    with pytest.raises(ProjectionFailed) as waited:
        runner.wait_for_position(poison.position, timeout=1)
    said = f"projection 'todo_list' stopped at position {poison.position}: Poison: todo-b"
    assert str(waited.value) == said  # the failure said once, not "stopped at ...: stopped at"
    assert waited.value.position == poison.position


def test_poison_event_is_parked_and_the_continue_policy_goes_on(kit: Kit) -> None:
    kit.flow.dispatch(Create("a", "fine"))
    poison = kit.flow.dispatch(Create("b", "poison"))
    kit.flow.dispatch(Create("c", "after"))
    runner = kit.runner(policy=ErrorPolicy(retries=1, backoff=0.0, on_park="continue"))
    status = runner.run_until_caught_up()
    assert kit.rows() == [("todo-a", "fine", 0, 1), ("todo-c", "after", 0, 1)]
    assert status.position == kit.store.head()
    assert status.parked == 1
    [letter] = kit.target.dead_letters()
    assert (letter.name, letter.position, letter.attempts) == ("todo_list", poison.position, 2)


def test_a_flaky_handler_is_retried_and_not_parked(kit: Kit) -> None:
    projection = kit.make_projection("flaky")
    entry = projection.handlers._entries[next(iter(projection.handlers._entries))]
    failures = iter([True, True, False])

    def flaky(tx: object, event: object) -> None:
        if next(failures, False):
            raise RuntimeError("flaky")
        entry.handler(tx, event)  # type: ignore[arg-type]

    projection.handlers._entries[next(iter(projection.handlers._entries))] = type(entry)(
        flaky, True
    )
    kit.flow.dispatch(Create("a", "one"))
    kit.runner(projection, policy=ErrorPolicy(retries=3, backoff=0.0)).run_until_caught_up()
    assert kit.rows(name="flaky") == [("todo-a", "one", 0, 1)]
    assert kit.target.dead_letters() == []


def test_an_event_that_does_not_decode_is_parked_at_once(kit: Kit) -> None:
    kit.store.append(
        "todo-x", [NewEvent(event_id=uuid7(), type="todo_created", data='{"nope": 1}')]
    )
    kit.flow.dispatch(Create("y", "fine"))
    runner = kit.runner(policy=ErrorPolicy(retries=5, backoff=0.0, on_park="continue"))
    runner.run_until_caught_up()
    [letter] = kit.target.dead_letters("todo_list")
    first = kit.store.read_all(limit=1)[0].position
    assert (letter.stream_id, letter.position, letter.attempts) == ("todo-x", first, 1)
    assert letter.error.startswith("CodecError")
    assert kit.rows() == [("todo-y", "fine", 0, 1)]


def test_wait_for_position_times_out_and_accepts_none(kit: Kit) -> None:
    runner = kit.runner()
    assert runner.wait_for_position(None, timeout=0.01) == 0
    started = time.monotonic()
    with pytest.raises(PositionTimeout) as timeout:
        runner.wait_for_position(10, timeout=0.1)
    assert time.monotonic() - started < 2
    assert (timeout.value.position, timeout.value.reached) == (10, 0)
    assert isinstance(timeout.value, TimeoutError)


def test_two_runners_without_leases_never_apply_an_event_twice(kit: Kit) -> None:
    runners = [kit.runner(), kit.runner()]
    for runner in runners:
        runner.start()
    try:
        last = None
        for i in range(30):
            kit.flow.dispatch(Create(str(i), "x"))
            last = kit.flow.dispatch(Rename(str(i), f"y{i}")).position
        for runner in runners:
            runner.wait_for_position(last, timeout=10)
    finally:
        for runner in runners:
            runner.stop()
    assert kit.rows() == kit.replay()
    assert kit.target.dead_letters() == []


def test_with_leases_one_runner_works_and_the_other_takes_over(kit: Kit) -> None:
    first = kit.runner(lease=LeaseSettings(ttl=1.0, acquire_interval=0.05, owner="first"))
    second = kit.runner(lease=LeaseSettings(ttl=1.0, acquire_interval=0.05, owner="second"))
    first.start()
    position = kit.flow.dispatch(Create("a", "one")).position
    first.wait_for_position(position, timeout=5)
    second.start()
    try:
        deadline = time.monotonic() + 5
        while second.state != "standby" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert second.state == "standby"
        assert kit.target.lease("todo_list").owner == "first"  # type: ignore[union-attr]
        first.stop()  # releases the lease: the standby takes over at its next poll
        position = kit.flow.dispatch(Rename("a", "two")).position
        second.wait_for_position(position, timeout=5)
        assert kit.target.lease("todo_list").owner == "second"  # type: ignore[union-attr]
        assert kit.rows() == [("todo-a", "two", 0, 2)]
    finally:
        first.stop()
        second.stop()
    assert kit.target.lease("todo_list") is None


def test_status_before_running_reads_the_database(kit: Kit) -> None:
    _fill(kit, 1)
    runner = kit.runner()
    status = runner.status()
    assert (status.name, status.position, status.state) == ("todo_list", 0, "idle")
    assert status.lag_events == len(kit.store.read_all())
    assert status.lag_seconds > 0


def test_stop_interrupts_a_sleeping_runner_promptly(kit: Kit) -> None:
    runner = kit.runner()
    runner.start()
    time.sleep(0.1)
    started = time.monotonic()
    runner.stop()
    assert time.monotonic() - started < 1.0
    assert not any(t.name == "fabula-projection-todo_list" for t in threading.enumerate())


def test_a_stop_during_a_retry_leaves_the_failing_event_unprocessed(kit: Kit) -> None:
    kit.flow.dispatch(Create("a", "poison"))
    kit.flow.dispatch(Create("b", "fine"))
    runner = kit.runner(policy=ErrorPolicy(retries=50, backoff=0.05, max_backoff=0.05))
    runner.start()
    deadline = time.monotonic() + 5
    while runner.state != "retrying" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.state == "retrying"
    runner.stop()
    assert kit.target.checkpoint("todo_list").position == 0
    assert kit.rows() == []
    assert kit.target.dead_letters() == []


def test_a_runner_stops_when_its_target_is_closed_under_it(kit: Kit) -> None:
    if kit.kind == "memory":
        pytest.skip("a memory target has nothing to close")
    runner = kit.runner(policy=ErrorPolicy(backoff=0.0))
    runner.start()
    try:
        runner.wait_for_position(kit.flow.dispatch(Create("1", "one")).position, timeout=10)
        kit.target.close()
        kit.flow.dispatch(Create("2", "two"))
        deadline = time.monotonic() + 10
        while runner.state != "failed":  # not "retrying" without end
            assert time.monotonic() < deadline, f"the runner is {runner.state}"
            time.sleep(0.01)
        with pytest.raises(ProjectionFailed, match="closed"):
            runner.wait_for_position(kit.store.head(), timeout=1)
    finally:
        runner.stop()
