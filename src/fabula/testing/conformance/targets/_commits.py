# Generated from _commits_async.py by tools/unasync.py: do not edit, edit the source.
"""Target conformance, rules 1-3: a commit applies its steps and moves the checkpoint atomically."""

from __future__ import annotations

from fabula.read import CheckpointConflict, HandlerError, Step
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance.targets._commits_base import Boom, Poison
from fabula.testing.conformance.targets._kit import (
    TargetKit,
    letter,
    put_step,
    recorded,
)

__all__ = [
    "check_commit_applies_steps_and_moves_the_checkpoint",
    "check_commit_from_a_stale_checkpoint_raises_conflict",
    "check_failed_step_rolls_back_the_whole_commit",
]


def _poisoned(kit: TargetKit, name: str, /, *, position: int) -> Step:
    return (kit.put(name), recorded("c", Poison(), position=position))


def check_commit_applies_steps_and_moves_the_checkpoint(kit: TargetKit) -> None:
    """Rule 1: ``commit`` writes every step and moves the checkpoint to ``position``."""
    name = "tc_commit_applies"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        expect_equal((target.checkpoint(name)).position, 0, "a new checkpoint")
        steps = [
            put_step(kit, name, "a", "1", position=1),
            put_step(kit, name, "b", "2", position=2),
        ]
        target.commit(name, after=0, position=3, steps=steps)
        expect_equal(kit.rows(target, name), {"a": "1", "b": "2"}, "the model after a commit")
        expect_equal((target.checkpoint(name)).position, 3, "the checkpoint after a commit")
        target.commit(name, after=3, position=5)
        expect_equal((target.checkpoint(name)).position, 5, "a commit without steps")
        names = [c.name for c in target.checkpoints()]
        expect(name in names, f"checkpoints() lists {name}: {names}")
    finally:
        target.close()


def check_failed_step_rolls_back_the_whole_commit(kit: TargetKit) -> None:
    """Rules 1 and 3: a failing step raises ``HandlerError`` and nothing of the commit stays."""
    name = "tc_commit_rolls_back"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        target.commit(name, after=0, position=1, steps=[put_step(kit, name, "a", "1", position=1)])
        steps = [
            put_step(kit, name, "a", "2", position=2),
            put_step(kit, name, "b", "2", position=3),
            _poisoned(kit, name, position=4),
        ]
        with raises(HandlerError, "a commit whose step fails") as caught:
            target.commit(name, after=1, position=4, steps=steps, parked=letter(name, 4))
        expect(
            isinstance(caught.error.__cause__, Boom),
            f"HandlerError's cause is the handler's error, not {caught.error.__cause__!r}",
        )
        expect_equal(kit.rows(target, name), {"a": "1"}, "the model after a failed commit")
        expect_equal((target.checkpoint(name)).position, 1, "the checkpoint after a failed commit")
        expect_equal(target.dead_letters(name), [], "dead letters after a failed commit")
    finally:
        target.close()


def check_commit_from_a_stale_checkpoint_raises_conflict(kit: TargetKit) -> None:
    """Rule 2: a commit from anywhere but the current checkpoint changes nothing.

    The checkpoint is compared before any step runs: a runner whose read model was reset
    or swapped under it gets ``CheckpointConflict`` (and starts over), never a handler
    error from a model it did not build, which it would park.
    """
    name = "tc_commit_conflict"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        target.commit(name, after=0, position=4, steps=[put_step(kit, name, "a", "1", position=4)])
        for after in (0, 2, 6):
            step = put_step(kit, name, "a", "stale", position=after + 1)
            with raises(CheckpointConflict, f"a commit from {after} when the checkpoint is at 4"):
                target.commit(name, after=after, position=after + 1, steps=[step])
        poisoned = _poisoned(kit, name, position=3)
        with raises(CheckpointConflict, "a stale commit whose step would fail (not HandlerError)"):
            target.commit(name, after=2, position=3, steps=[poisoned])
        expect_equal(kit.rows(target, name), {"a": "1"}, "the model after refused commits")
        expect_equal((target.checkpoint(name)).position, 4, "the checkpoint after refused commits")
    finally:
        target.close()
