"""Target conformance, rule 7: reset and swap in replace a read model, never moving it back."""

from __future__ import annotations

from fabula.read import CheckpointConflict
from fabula.testing.conformance._expect import expect_equal, raises
from fabula.testing.conformance.targets._kit_async import AsyncTargetKit, letter, put_step

__all__ = [
    "check_reset_empties_the_model_and_the_checkpoint",
    "check_swap_in_never_moves_the_checkpoint_back",
    "check_swap_in_replaces_the_model",
]


async def check_reset_empties_the_model_and_the_checkpoint(kit: AsyncTargetKit) -> None:
    """Rule 7: ``reset`` empties the model and its dead letters, and sets the checkpoint to 0."""
    name = "tc_rebuild_reset"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        step = put_step(kit, name, "a", "1", position=1)
        await target.commit(name, after=0, position=4, steps=[step], parked=letter(name, 3))
        await target.reset(name, tables=[name])
        expect_equal(await kit.rows(target, name), {}, "the model after reset")
        expect_equal((await target.checkpoint(name)).position, 0, "the checkpoint after reset")
        expect_equal(await target.dead_letters(name), [], "the dead letters after reset")
    finally:
        await target.close()


async def check_swap_in_replaces_the_model(kit: AsyncTargetKit) -> None:
    """Rule 7: ``swap_in`` puts the scratch's model, checkpoint and letters in place."""
    name = "tc_rebuild_swap"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        await target.commit(
            name, after=0, position=2, steps=[put_step(kit, name, "old", "1", position=1)]
        )
        scratch = await target.scratch(name)
        await scratch.prepare(name, setup=[kit.setup(name)])
        step = put_step(kit, name, "new", "2", position=2)
        await scratch.commit(name, after=0, position=6, steps=[step], parked=letter(name, 5))
        await target.swap_in(name, scratch, tables=[name])
        expect_equal(await kit.rows(target, name), {"new": "2"}, "the model after swap_in")
        expect_equal((await target.checkpoint(name)).position, 6, "the checkpoint after swap_in")
        found = [x.position for x in await target.dead_letters(name)]
        expect_equal(found, [5], "the dead letters after swap_in")
    finally:
        await target.close()


async def check_swap_in_never_moves_the_checkpoint_back(kit: AsyncTargetKit) -> None:
    """Rule 7: a scratch behind the live checkpoint is refused, and nothing changes."""
    name = "tc_rebuild_behind"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        scratch = await target.scratch(name)
        await scratch.prepare(name, setup=[kit.setup(name)])
        await scratch.commit(
            name, after=0, position=3, steps=[put_step(kit, name, "new", "2", position=2)]
        )
        await target.commit(
            name, after=0, position=8, steps=[put_step(kit, name, "old", "1", position=1)]
        )
        with raises(CheckpointConflict, "swap_in of a scratch at 3 over a live checkpoint at 8"):
            await target.swap_in(name, scratch, tables=[name])
        expect_equal(await kit.rows(target, name), {"old": "1"}, "the model after a refused swap")
        expect_equal(
            (await target.checkpoint(name)).position, 8, "the checkpoint after a refused swap"
        )
        await scratch.close()
    finally:
        await target.close()
