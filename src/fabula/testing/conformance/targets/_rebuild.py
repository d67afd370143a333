# Generated from _rebuild_async.py by tools/unasync.py: do not edit, edit the source.
"""Target conformance, rule 7: reset and swap in replace a read model, never moving it back."""

from __future__ import annotations

from fabula.read import CheckpointConflict
from fabula.testing.conformance._expect import expect_equal, raises
from fabula.testing.conformance.targets._kit import TargetKit, letter, put_step

__all__ = [
    "check_reset_empties_the_model_and_the_checkpoint",
    "check_swap_in_never_moves_the_checkpoint_back",
    "check_swap_in_replaces_the_model",
]


def check_reset_empties_the_model_and_the_checkpoint(kit: TargetKit) -> None:
    """Rule 7: ``reset`` empties the model and its dead letters, and sets the checkpoint to 0."""
    name = "tc_rebuild_reset"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        step = put_step(kit, name, "a", "1", position=1)
        target.commit(name, after=0, position=4, steps=[step], parked=letter(name, 3))
        target.reset(name, tables=[name])
        expect_equal(kit.rows(target, name), {}, "the model after reset")
        expect_equal((target.checkpoint(name)).position, 0, "the checkpoint after reset")
        expect_equal(target.dead_letters(name), [], "the dead letters after reset")
    finally:
        target.close()


def check_swap_in_replaces_the_model(kit: TargetKit) -> None:
    """Rule 7: ``swap_in`` puts the scratch's model, checkpoint and letters in place."""
    name = "tc_rebuild_swap"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        target.commit(
            name, after=0, position=2, steps=[put_step(kit, name, "old", "1", position=1)]
        )
        scratch = target.scratch(name)
        scratch.prepare(name, setup=[kit.setup(name)])
        step = put_step(kit, name, "new", "2", position=2)
        scratch.commit(name, after=0, position=6, steps=[step], parked=letter(name, 5))
        target.swap_in(name, scratch, tables=[name])
        expect_equal(kit.rows(target, name), {"new": "2"}, "the model after swap_in")
        expect_equal((target.checkpoint(name)).position, 6, "the checkpoint after swap_in")
        found = [x.position for x in target.dead_letters(name)]
        expect_equal(found, [5], "the dead letters after swap_in")
    finally:
        target.close()


def check_swap_in_never_moves_the_checkpoint_back(kit: TargetKit) -> None:
    """Rule 7: a scratch behind the live checkpoint is refused, and nothing changes."""
    name = "tc_rebuild_behind"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        scratch = target.scratch(name)
        scratch.prepare(name, setup=[kit.setup(name)])
        scratch.commit(
            name, after=0, position=3, steps=[put_step(kit, name, "new", "2", position=2)]
        )
        target.commit(
            name, after=0, position=8, steps=[put_step(kit, name, "old", "1", position=1)]
        )
        with raises(CheckpointConflict, "swap_in of a scratch at 3 over a live checkpoint at 8"):
            target.swap_in(name, scratch, tables=[name])
        expect_equal(kit.rows(target, name), {"old": "1"}, "the model after a refused swap")
        expect_equal((target.checkpoint(name)).position, 8, "the checkpoint after a refused swap")
        scratch.close()
    finally:
        target.close()
