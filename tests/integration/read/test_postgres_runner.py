"""The runner's tests (tests/unit/read/test_runner.py), on PostgreSQL: store and target."""

import pytest

from tests.unit.read.test_runner import (
    test_a_batch_handler_gets_each_run_of_its_events_in_one_call,
    test_a_failing_batch_is_applied_again_one_event_at_a_time,
    test_a_flaky_handler_is_retried_and_not_parked,
    test_a_new_runner_resumes_from_the_checkpoint,
    test_a_page_is_one_transaction_up_to_the_batch_size,
    test_a_runner_stops_when_its_target_is_closed_under_it,
    test_a_stop_during_a_retry_leaves_the_failing_event_unprocessed,
    test_an_event_that_does_not_decode_is_parked_at_once,
    test_catches_up_and_passes_events_of_other_types,
    test_follows_live_and_waits_for_a_dispatched_position,
    test_handlers_that_refuse_batching_get_a_transaction_each,
    test_poison_event_is_parked_and_the_continue_policy_goes_on,
    test_poison_event_is_parked_and_the_stop_policy_stops_before_it,
    test_status_before_running_reads_the_database,
    test_stop_interrupts_a_sleeping_runner_promptly,
    test_two_runners_without_leases_never_apply_an_event_twice,
    test_wait_for_position_times_out_and_accepts_none,
    test_with_leases_one_runner_works_and_the_other_takes_over,
)

pytestmark = pytest.mark.postgres

__all__ = [
    "test_a_batch_handler_gets_each_run_of_its_events_in_one_call",
    "test_a_failing_batch_is_applied_again_one_event_at_a_time",
    "test_a_flaky_handler_is_retried_and_not_parked",
    "test_a_new_runner_resumes_from_the_checkpoint",
    "test_a_page_is_one_transaction_up_to_the_batch_size",
    "test_a_runner_stops_when_its_target_is_closed_under_it",
    "test_a_stop_during_a_retry_leaves_the_failing_event_unprocessed",
    "test_an_event_that_does_not_decode_is_parked_at_once",
    "test_catches_up_and_passes_events_of_other_types",
    "test_follows_live_and_waits_for_a_dispatched_position",
    "test_handlers_that_refuse_batching_get_a_transaction_each",
    "test_poison_event_is_parked_and_the_continue_policy_goes_on",
    "test_poison_event_is_parked_and_the_stop_policy_stops_before_it",
    "test_status_before_running_reads_the_database",
    "test_stop_interrupts_a_sleeping_runner_promptly",
    "test_two_runners_without_leases_never_apply_an_event_twice",
    "test_wait_for_position_times_out_and_accepts_none",
    "test_with_leases_one_runner_works_and_the_other_takes_over",
]
