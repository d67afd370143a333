# Generated from _letters_async.py by tools/unasync.py: do not edit, edit the source.
"""Target conformance, rules 5-6: dead letters park, retry and discard; failures are durable."""

from __future__ import annotations

from datetime import UTC, datetime

from fabula.read import Failure, ParkedEventNotFound
from fabula.testing.conformance._expect import expect_equal, raises
from fabula.testing.conformance.targets._kit import TargetKit, letter, put_step

__all__ = [
    "check_commit_clears_the_letters_it_passes",
    "check_letters_and_failures_survive_a_restart",
    "check_park_keeps_the_checkpoint",
    "check_resolve_retries_or_discards",
]


def check_park_keeps_the_checkpoint(kit: TargetKit) -> None:
    """Rule 5: ``park`` records a dead letter (or updates it) and moves nothing else."""
    name = "tc_letters_park"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        target.park(letter(name, 3))
        target.park(letter(name, 3, error="Again"))
        found = [(x.position, x.error) for x in target.dead_letters(name)]
        expect_equal(found, [(3, "Again")], "the dead letters after parking one twice")
        expect_equal((target.checkpoint(name)).position, 0, "the checkpoint after park")
    finally:
        target.close()


def check_commit_clears_the_letters_it_passes(kit: TargetKit) -> None:
    """Rule 5: a commit drops letters in ``(after, position]``, then records ``parked``."""
    name = "tc_letters_commit"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        for position in (2, 5, 9):
            target.park(letter(name, position))
        target.commit(name, after=0, position=5, parked=letter(name, 4))
        found = [x.position for x in target.dead_letters(name)]
        expect_equal(found, [4, 9], "letters after a commit from 0 to 5 that parks 4")
    finally:
        target.close()


def check_resolve_retries_or_discards(kit: TargetKit) -> None:
    """Rule 5: ``resolve`` applies its step (retry) or not (discard), removing the letter."""
    name = "tc_letters_resolve"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        target.commit(name, after=0, position=3, parked=letter(name, 2))
        target.park(letter(name, 3))
        parked = target.dead_letters(name)
        target.resolve(parked[0], step=put_step(kit, name, "s2", "retried", position=2))
        expect_equal(kit.rows(target, name), {"s2": "retried"}, "the model after a retry")
        target.resolve(parked[1])
        expect_equal(target.dead_letters(name), [], "letters after a retry and a discard")
        expect_equal(kit.rows(target, name), {"s2": "retried"}, "the model after a discard")
        expect_equal((target.checkpoint(name)).position, 3, "the checkpoint after resolving")
        with raises(ParkedEventNotFound, "resolving a letter that is gone"):
            target.resolve(parked[1])
    finally:
        target.close()


def check_letters_and_failures_survive_a_restart(kit: TargetKit) -> None:
    """Rule 6: dead letters and the last failure are still there after reopening."""
    name = "tc_letters_durable"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        target.park(letter(name, 7))
        for attempts in (1, 2):
            failure = Failure(
                name=name, position=7, attempts=attempts, error="Boom", failed_at=datetime.now(UTC)
            )
            target.record_failure(failure)
    finally:
        target.close()
    target = kit.open()
    try:
        found = [x.position for x in target.dead_letters(name)]
        expect_equal(found, [7], "dead letters after reopening the target")
        last = target.failure(name)
        expect_equal(last.attempts if last else None, 2, "the last failure after reopening")
    finally:
        target.close()
