# Generated from _suite_async.py by tools/unasync.py: do not edit, edit the source.
"""The target suite: every check of the target contract, in the order they run.

Each check opens the target through the kit, writes under a projection name no other
check uses, and closes it: the checks need not start from an empty database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from fabula.testing.conformance.targets._commits import (
    check_commit_applies_steps_and_moves_the_checkpoint,
    check_commit_from_a_stale_checkpoint_raises_conflict,
    check_failed_step_rolls_back_the_whole_commit,
)
from fabula.testing.conformance.targets._kit import TargetKit
from fabula.testing.conformance.targets._leases import (
    check_commit_with_a_lost_claim_raises_lease_lost,
    check_lease_is_exclusive,
    check_lease_lapses_after_its_ttl,
    check_lease_renews_and_releases,
)
from fabula.testing.conformance.targets._letters import (
    check_commit_clears_the_letters_it_passes,
    check_letters_and_failures_survive_a_restart,
    check_park_keeps_the_checkpoint,
    check_resolve_retries_or_discards,
)
from fabula.testing.conformance.targets._rebuild import (
    check_reset_empties_the_model_and_the_checkpoint,
    check_swap_in_never_moves_the_checkpoint_back,
    check_swap_in_replaces_the_model,
)
from fabula.testing.conformance.targets._surface import (
    check_provides_every_contract_method,
)

__all__ = ["CHECKS", "TargetCheck"]

TargetCheck: TypeAlias = Callable[[TargetKit], None]
"""A target check: drives targets opened by the kit; raises ``AssertionError`` on failure."""

CHECKS: tuple[TargetCheck, ...] = (
    check_provides_every_contract_method,
    # checkpointed commit (rules 1-3)
    check_commit_applies_steps_and_moves_the_checkpoint,
    check_failed_step_rolls_back_the_whole_commit,
    check_commit_from_a_stale_checkpoint_raises_conflict,
    # leases (rule 4)
    check_lease_is_exclusive,
    check_lease_renews_and_releases,
    check_lease_lapses_after_its_ttl,
    check_commit_with_a_lost_claim_raises_lease_lost,
    # dead letters and failures (rules 5-6)
    check_park_keeps_the_checkpoint,
    check_commit_clears_the_letters_it_passes,
    check_resolve_retries_or_discards,
    check_letters_and_failures_survive_a_restart,
    # rebuild (rule 7)
    check_reset_empties_the_model_and_the_checkpoint,
    check_swap_in_replaces_the_model,
    check_swap_in_never_moves_the_checkpoint_back,
)
"""Every asyncio target check; the first asserts the target provides every method."""
