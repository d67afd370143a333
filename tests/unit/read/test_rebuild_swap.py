"""A rebuild into a copy never moves the read model back in time (issue 11, item 9).

The interleaving that broke it is forced, not hoped for: a target wrapper runs the live
runner past the copy's checkpoint right before the swap, so the swap finds the live
checkpoint ahead of the copy's every time.
"""

from __future__ import annotations

from typing import Any, cast

from fabula.read import ProjectionSet, Target

from .domain import Create
from .kits import Kit


class _LiveRunsAheadFirst:
    """Delegates to ``target``; before the first ``swap_in``, the live runner moves on."""

    def __init__(self, target: Target, kit: Kit) -> None:
        self._target = target
        self._kit = kit
        self.live_before_swap: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def swap_in(self, name: str, scratch: Any, /, *, tables: Any, **kw: Any) -> None:
        if not self.live_before_swap:
            for i in range(5, 8):
                self._kit.flow.dispatch(Create(str(i), f"late{i}"))
            live = self._kit.runner().run_until_caught_up()
            self.live_before_swap.append(live.position)
        self._target.swap_in(name, scratch, tables=tables, **kw)


def test_a_copy_swap_never_moves_the_checkpoint_back(kit: Kit) -> None:
    for i in range(5):
        kit.flow.dispatch(Create(str(i), f"t{i}"))
    kit.runner().run_until_caught_up()
    wrapped = _LiveRunsAheadFirst(kit.target, kit)
    projections = ProjectionSet(
        kit.store, cast(Target, wrapped), consumers=[kit.projection], registry=kit.registry
    )
    status = projections.rebuild("todo_list", mode="copy")
    [live] = wrapped.live_before_swap
    assert live == kit.store.head()
    assert kit.target.checkpoint("todo_list").position >= live
    assert status.position >= live
    assert kit.rows() == kit.replay()
    assert len(kit.rows()) == 8
