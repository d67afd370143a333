"""Target conformance, rules 5-6: dead letters park, retry and discard; failures are durable."""

from __future__ import annotations

from datetime import UTC, datetime

from fabula.read import Failure, ParkedEventNotFound
from fabula.testing.conformance._expect import expect_equal, raises
from fabula.testing.conformance.targets._kit_async import AsyncTargetKit, letter, put_step

__all__ = [
    "check_commit_clears_the_letters_it_passes",
    "check_letters_and_failures_survive_a_restart",
    "check_park_keeps_the_checkpoint",
    "check_resolve_retries_or_discards",
]


async def check_park_keeps_the_checkpoint(kit: AsyncTargetKit) -> None:
    """Rule 5: ``park`` records a dead letter (or updates it) and moves nothing else."""
    name = "tc_letters_park"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        await target.park(letter(name, 3))
        await target.park(letter(name, 3, error="Again"))
        found = [(x.position, x.error) for x in await target.dead_letters(name)]
        expect_equal(found, [(3, "Again")], "the dead letters after parking one twice")
        expect_equal((await target.checkpoint(name)).position, 0, "the checkpoint after park")
    finally:
        await target.close()


async def check_commit_clears_the_letters_it_passes(kit: AsyncTargetKit) -> None:
    """Rule 5: a commit drops letters in ``(after, position]``, then records ``parked``."""
    name = "tc_letters_commit"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        for position in (2, 5, 9):
            await target.park(letter(name, position))
        await target.commit(name, after=0, position=5, parked=letter(name, 4))
        found = [x.position for x in await target.dead_letters(name)]
        expect_equal(found, [4, 9], "letters after a commit from 0 to 5 that parks 4")
    finally:
        await target.close()


async def check_resolve_retries_or_discards(kit: AsyncTargetKit) -> None:
    """Rule 5: ``resolve`` applies its step (retry) or not (discard), removing the letter."""
    name = "tc_letters_resolve"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        await target.commit(name, after=0, position=3, parked=letter(name, 2))
        await target.park(letter(name, 3))
        parked = await target.dead_letters(name)
        await target.resolve(parked[0], step=put_step(kit, name, "s2", "retried", position=2))
        expect_equal(await kit.rows(target, name), {"s2": "retried"}, "the model after a retry")
        await target.resolve(parked[1])
        expect_equal(await target.dead_letters(name), [], "letters after a retry and a discard")
        expect_equal(await kit.rows(target, name), {"s2": "retried"}, "the model after a discard")
        expect_equal((await target.checkpoint(name)).position, 3, "the checkpoint after resolving")
        with raises(ParkedEventNotFound, "resolving a letter that is gone"):
            await target.resolve(parked[1])
    finally:
        await target.close()


async def check_letters_and_failures_survive_a_restart(kit: AsyncTargetKit) -> None:
    """Rule 6: dead letters and the last failure are still there after reopening."""
    name = "tc_letters_durable"
    target = kit.open()
    try:
        await target.prepare(name, setup=[kit.setup(name)])
        await target.park(letter(name, 7))
        for attempts in (1, 2):
            failure = Failure(
                name=name, position=7, attempts=attempts, error="Boom", failed_at=datetime.now(UTC)
            )
            await target.record_failure(failure)
    finally:
        await target.close()
    target = kit.open()
    try:
        found = [x.position for x in await target.dead_letters(name)]
        expect_equal(found, [7], "dead letters after reopening the target")
        last = await target.failure(name)
        expect_equal(last.attempts if last else None, 2, "the last failure after reopening")
    finally:
        await target.close()
