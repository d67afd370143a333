"""What operators see (issue 11, item 9): catching up on demand, and copy rebuilds."""

from __future__ import annotations

import pytest

from fabula.cli import status_table
from fabula.read import ProjectionSet, ProjectionStatus

from .domain import Create, Rename
from .kits import Kit


def _set(kit: Kit) -> ProjectionSet:
    return ProjectionSet(
        kit.store, kit.target, consumers=[kit.projection], registry=kit.registry, poll_interval=0.05
    )


def test_wait_caught_up_waits_for_what_was_committed_before_the_call(kit: Kit) -> None:
    projections = _set(kit)
    projections.start()
    try:
        for i in range(5):
            kit.flow.dispatch(Create(str(i), f"t{i}"))
            kit.flow.dispatch(Rename(str(i), f"r{i}"))
        head = kit.store.head()
        [status] = projections.wait_caught_up(timeout=10)
        assert status.position >= head
        assert kit.target.checkpoint("todo_list").position >= head
    finally:
        projections.stop()


def test_status_shows_a_copy_rebuild_left_behind_then_running(kit: Kit) -> None:
    if kit.kind == "memory":
        pytest.skip("a memory target's copy lives and dies with the rebuilding process")
    kit.flow.dispatch(Create("a", "one"))
    projections = _set(kit)
    scratch = kit.target.scratch("todo_list")  # a rebuild killed after its first commits
    kit.runner(target=scratch).run_until_caught_up()
    scratch.close()
    [left] = projections.status()
    assert left.rebuild is not None
    assert (left.rebuild.running, left.rebuild.position) == (False, kit.store.head())
    assert "rebuild" in left.rebuild.location
    assert "left behind" in status_table([left])

    seen: list[ProjectionStatus] = []
    projections.rebuild(
        "todo_list", mode="copy", progress=lambda p, h: seen.extend(_set(kit).status())
    )
    assert seen
    assert seen[-1].rebuild is not None
    assert seen[-1].rebuild.running
    assert "running" in status_table(seen[-1:])
    [done] = projections.status()
    assert done.rebuild is None
