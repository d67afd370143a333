"""The projection-set tests (tests/unit/read/test_set.py), on PostgreSQL: store and target."""

import pytest

from tests.unit.read.test_set import (
    test_discard_parked_under_the_continue_policy_keeps_the_checkpoint,
    test_rebuild_in_place_equals_a_replay,
    test_rebuild_into_a_copy_converges_while_the_live_runner_keeps_passing_it,
    test_rebuild_into_a_copy_swaps_it_in,
    test_rebuild_into_a_copy_while_a_runner_follows_and_commands_arrive,
    test_rebuild_needs_declared_tables_on_sql_targets,
    test_retry_parked_after_a_fix_under_the_stop_policy,
    test_retry_parked_applies_a_batch_handlers_event_alone,
    test_status_reads_the_database_and_formats_as_a_table,
    test_wait_for_position_fails_fast_on_a_projection_stopped_below_it,
)

pytestmark = pytest.mark.postgres

__all__ = [
    "test_discard_parked_under_the_continue_policy_keeps_the_checkpoint",
    "test_rebuild_in_place_equals_a_replay",
    "test_rebuild_into_a_copy_converges_while_the_live_runner_keeps_passing_it",
    "test_rebuild_into_a_copy_swaps_it_in",
    "test_rebuild_into_a_copy_while_a_runner_follows_and_commands_arrive",
    "test_rebuild_needs_declared_tables_on_sql_targets",
    "test_retry_parked_after_a_fix_under_the_stop_policy",
    "test_retry_parked_applies_a_batch_handlers_event_alone",
    "test_status_reads_the_database_and_formats_as_a_table",
    "test_wait_for_position_fails_fast_on_a_projection_stopped_below_it",
]
