"""The target suite itself: complete, in step with its sync twin, and able to fail.

Each mutant below is the reference memory target with one bug a real target could have;
the suite must catch every one, through the check named beside it. Every check is named
by one mutant at least (``test_every_check_has_a_mutant_that_it_catches``): a new check
needs a mutant target that breaks its rule.
"""

import asyncio
import copy
import importlib

import pytest

from fabula.read import Checkpoint, HandlerError
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.testing.conformance.targets import (
    ASYNC_CHECKS,
    SYNC_CHECKS,
    async_memory_kit,
    memory_kit,
    run_async_checks,
    run_checks,
)

MODULES = ["_commits", "_leases", "_letters", "_rebuild", "_surface"]
CHECKS_BY_NAME = {check.__name__: check for check in SYNC_CHECKS}


def test_every_check_is_in_the_suite_once():
    defined = []
    for name in MODULES:
        module = importlib.import_module(f"fabula.testing.conformance.targets.{name}_async")
        defined += [n for n in module.__all__ if n.startswith("check_")]
    names = [check.__name__ for check in ASYNC_CHECKS]
    assert sorted(names) == sorted(defined)
    assert len(set(names)) == len(names)
    assert names[0] == "check_provides_every_contract_method"


def test_sync_and_async_suites_match():
    assert [c.__name__ for c in SYNC_CHECKS] == [c.__name__ for c in ASYNC_CHECKS]
    assert all(c.__module__.endswith("_async") for c in ASYNC_CHECKS)
    assert not any(c.__module__.endswith("_async") for c in SYNC_CHECKS)


def test_run_checks_passes_on_the_reference_target():
    run_checks(memory_kit())
    asyncio.run(run_async_checks(async_memory_kit()))


# Checkpointed commit (rules 1-3)


class NoLeaseMethod(MemoryTarget):
    lease = None  # type: ignore[assignment]


class ForgetsSteps(MemoryTarget):
    def commit(self, name, /, *, steps=(), **options):
        super().commit(name, **options)


class AppliesStepByStep(MemoryTarget):
    """Commits each step on its own, so a failing step leaves the earlier ones behind."""

    def commit(self, name, /, *, after, position, steps=(), **options):
        for step in steps:
            super().commit(name, after=after, position=after, steps=[step])
        super().commit(name, after=after, position=position, **options)


class NoCompareAndSet(MemoryTarget):
    def commit(self, name, /, *, after, **options):
        super().commit(name, after=self.checkpoint(name).position, **options)


class RunsStepsBeforeTheCheckpoint(MemoryTarget):
    """Runs the handlers first and compares the checkpoint only when they succeed."""

    def commit(self, name, /, *, after, position, steps=(), **options):
        for handler, event in steps:
            try:
                handler(copy.deepcopy(self._models.get(name, {})), event)
            except Exception as exc:
                raise HandlerError.of(name, event) from exc
        super().commit(name, after=after, position=position, steps=steps, **options)


# Leases (rule 4)


class SharedLeases(MemoryTarget):
    def acquire_lease(self, name, owner, /, *, ttl):
        self._leases.pop(name, None)
        return super().acquire_lease(name, owner, ttl=ttl)


class ReleasesAnyonesLease(MemoryTarget):
    def release_lease(self, name, owner, /):
        self._leases.pop(name, None)


class EverlastingLeases(MemoryTarget):
    def acquire_lease(self, name, owner, /, *, ttl):
        return super().acquire_lease(name, owner, ttl=ttl + 3600)


class IgnoresClaims(MemoryTarget):
    def commit(self, name, /, *, claim=None, **options):
        super().commit(name, **options)


# Dead letters and failures (rules 5-6)


class ParkMovesTheCheckpoint(MemoryTarget):
    def park(self, letter, /):
        super().park(letter)
        self._checkpoints[letter.name] = Checkpoint(letter.name, letter.position)


class KeepsPassedLetters(MemoryTarget):
    def commit(self, name, /, *, after, position, **options):
        kept = [x for x in self.dead_letters(name) if after < x.position <= position]
        super().commit(name, after=after, position=position, **options)
        for letter in kept:
            self._letters.setdefault((name, letter.position), letter)


class RetriesWithoutTheStep(MemoryTarget):
    def resolve(self, letter, /, *, step=None):
        super().resolve(letter)


class ForgetsOnClose(MemoryTarget):
    def close(self):
        self._letters.clear()
        self._failures.clear()


# Rebuild (rule 7)


class ResetKeepsTheCheckpoint(MemoryTarget):
    def reset(self, name, /, *, tables):
        kept = self.checkpoint(name)
        super().reset(name, tables=tables)
        self._checkpoints[name] = kept


class SwapKeepsTheOldModel(MemoryTarget):
    def swap_in(self, name, scratch, /, **options):
        old = self._models.get(name, {})
        super().swap_in(name, scratch, **options)
        self._models[name] = old


class SwapMovesBack(MemoryTarget):
    def swap_in(self, name, scratch, /, **options):
        self._checkpoints[name] = Checkpoint(name, 0)
        super().swap_in(name, scratch, **options)


MUTANTS = [
    (NoLeaseMethod, "check_provides_every_contract_method"),
    (ForgetsSteps, "check_commit_applies_steps_and_moves_the_checkpoint"),
    (AppliesStepByStep, "check_failed_step_rolls_back_the_whole_commit"),
    (NoCompareAndSet, "check_commit_from_a_stale_checkpoint_raises_conflict"),
    (RunsStepsBeforeTheCheckpoint, "check_commit_from_a_stale_checkpoint_raises_conflict"),
    (SharedLeases, "check_lease_is_exclusive"),
    (ReleasesAnyonesLease, "check_lease_renews_and_releases"),
    (EverlastingLeases, "check_lease_lapses_after_its_ttl"),
    (IgnoresClaims, "check_commit_with_a_lost_claim_raises_lease_lost"),
    (ParkMovesTheCheckpoint, "check_park_keeps_the_checkpoint"),
    (KeepsPassedLetters, "check_commit_clears_the_letters_it_passes"),
    (RetriesWithoutTheStep, "check_resolve_retries_or_discards"),
    (ForgetsOnClose, "check_letters_and_failures_survive_a_restart"),
    (ResetKeepsTheCheckpoint, "check_reset_empties_the_model_and_the_checkpoint"),
    (SwapKeepsTheOldModel, "check_swap_in_replaces_the_model"),
    (SwapMovesBack, "check_swap_in_never_moves_the_checkpoint_back"),
]


@pytest.mark.parametrize(("mutant", "check_name"), MUTANTS, ids=lambda m: getattr(m, "__name__", m))
def test_suite_catches_the_mutant(mutant, check_name):
    with pytest.raises(AssertionError):
        CHECKS_BY_NAME[check_name](memory_kit(mutant))


def test_every_check_has_a_mutant_that_it_catches():
    # A new check without a mutant fails here: add a mutant target that breaks its rule.
    assert {check_name for _, check_name in MUTANTS} == set(CHECKS_BY_NAME)


def test_run_checks_reports_every_failure():
    with pytest.raises(ExceptionGroup) as caught:
        run_checks(memory_kit(NoCompareAndSet), checks=SYNC_CHECKS[:4])
    notes = [note for error in caught.value.exceptions for note in error.__notes__]
    assert notes == [
        "target conformance check check_commit_from_a_stale_checkpoint_raises_conflict failed"
    ]


class BlockingLease(AsyncMemoryTarget):
    def lease(self, name, /):
        return None


def test_async_suite_catches_a_method_that_is_not_a_coroutine():
    with pytest.raises(ExceptionGroup) as caught:
        asyncio.run(run_async_checks(async_memory_kit(BlockingLease), checks=ASYNC_CHECKS[:1]))
    assert "lease() must be a coroutine function" in str(caught.value.exceptions[0])
