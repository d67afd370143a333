# Generated from _suite_async.py by tools/unasync.py: do not edit, edit the source.
"""The conformance suite: every check of the store contract, in the order they run.

The first check asserts the store offers the whole contract; the rest each prove one
point of it. Every check runs against an open store, need not start from an empty one
(it writes under names no other check uses), and must be the only writer while it runs.
"""

from __future__ import annotations

from fabula.testing.conformance._appends import (
    check_append_any_version,
    check_append_expected_version,
    check_append_no_stream,
    check_append_returns_version_and_positions,
    check_append_stream_exists,
    check_append_zero_events,
    check_failed_append_writes_nothing,
    check_reappend_after_stream_moved_on,
    check_reappend_returns_original_result,
    check_reappend_with_other_content_raises_duplicate_event,
    check_reused_event_id_raises_duplicate_event,
)
from fabula.testing.conformance._arguments import (
    check_bad_events_are_refused,
    check_bad_filters_are_refused,
    check_bad_numbers_are_refused,
    check_bad_snapshots_are_refused,
    check_bad_stream_ids_are_refused,
    check_longest_stream_ids_are_stored,
)
from fabula.testing.conformance._batches import (
    check_append_many_checks_each_precondition,
    check_append_many_is_all_or_nothing,
    check_append_many_orders_results_and_positions,
    check_append_many_retry_returns_original_results,
    check_append_many_retry_with_other_content_raises,
)
from fabula.testing.conformance._check import Check
from fabula.testing.conformance._closing import check_a_closed_store_refuses_every_use
from fabula.testing.conformance._envelope import (
    check_envelope_round_trips,
    check_json_text_is_kept_verbatim,
    check_text_that_is_not_json_is_refused,
)
from fabula.testing.conformance._follow import (
    check_next_batch_times_out_empty,
    check_subscription_catches_up,
    check_subscription_filters,
    check_subscription_follows_live,
    check_subscription_iterates,
    check_subscription_resumes_from_checkpoint,
    check_wait_for_events_returns_at_once,
    check_wait_for_events_times_out,
    check_wait_for_events_wakes_on_append,
)
from fabula.testing.conformance._imports import check_import_keeps_versions_ids_and_order
from fabula.testing.conformance._lifecycle import (
    check_archive_hides_and_unarchive_restores,
    check_delete_ends_a_stream_with_a_tombstone,
    check_lifecycle_comes_before_preconditions,
    check_lifecycle_mistakes_are_refused,
    check_truncate_hides_old_versions_keeps_newest_snapshot,
)
from fabula.testing.conformance._reads import (
    check_read_all_after_position,
    check_read_all_by_category,
    check_read_all_by_type,
    check_read_all_limit,
    check_read_caused_by,
    check_read_stream_bounds_and_limit,
    check_read_stream_directions,
    check_read_stream_unknown_is_empty,
)
from fabula.testing.conformance._snapshots import (
    check_snapshot_replaced_at_same_version,
    check_snapshots_newest_and_time_travel,
)
from fabula.testing.conformance._streams import (
    check_list_streams_by_prefix,
    check_list_streams_order_and_literal_prefix,
    check_stream_version_and_head,
)
from fabula.testing.conformance._surface import (
    check_entering_gives_the_store,
    check_provides_every_contract_method,
)

__all__ = ["CHECKS"]

CHECKS: tuple[Check, ...] = (
    check_provides_every_contract_method,
    # append
    check_append_no_stream,
    check_append_stream_exists,
    check_append_expected_version,
    check_append_any_version,
    check_append_returns_version_and_positions,
    check_failed_append_writes_nothing,
    check_append_zero_events,
    check_reappend_returns_original_result,
    check_reappend_after_stream_moved_on,
    check_reused_event_id_raises_duplicate_event,
    check_reappend_with_other_content_raises_duplicate_event,
    # append_many
    check_append_many_orders_results_and_positions,
    check_append_many_is_all_or_nothing,
    check_append_many_checks_each_precondition,
    check_append_many_retry_returns_original_results,
    check_append_many_retry_with_other_content_raises,
    # import_events (stores that offer it)
    check_import_keeps_versions_ids_and_order,
    # read
    check_read_stream_directions,
    check_read_stream_bounds_and_limit,
    check_read_stream_unknown_is_empty,
    check_read_all_after_position,
    check_read_all_limit,
    check_read_all_by_type,
    check_read_all_by_category,
    check_read_caused_by,
    check_envelope_round_trips,
    check_json_text_is_kept_verbatim,
    check_text_that_is_not_json_is_refused,
    # streams and snapshots
    check_stream_version_and_head,
    check_list_streams_by_prefix,
    check_list_streams_order_and_literal_prefix,
    check_snapshots_newest_and_time_travel,
    check_snapshot_replaced_at_same_version,
    # waiting and subscriptions
    check_wait_for_events_returns_at_once,
    check_wait_for_events_times_out,
    check_wait_for_events_wakes_on_append,
    check_subscription_catches_up,
    check_subscription_follows_live,
    check_subscription_filters,
    check_subscription_iterates,
    check_subscription_resumes_from_checkpoint,
    check_next_batch_times_out_empty,
    # bad arguments
    check_bad_stream_ids_are_refused,
    check_longest_stream_ids_are_stored,
    check_bad_filters_are_refused,
    check_bad_numbers_are_refused,
    check_bad_events_are_refused,
    check_bad_snapshots_are_refused,
    # stream lifecycle (ADR 0015)
    check_archive_hides_and_unarchive_restores,
    check_delete_ends_a_stream_with_a_tombstone,
    check_truncate_hides_old_versions_keeps_newest_snapshot,
    check_lifecycle_mistakes_are_refused,
    check_lifecycle_comes_before_preconditions,
    # lifecycle
    check_entering_gives_the_store,
    check_a_closed_store_refuses_every_use,
)
"""Every asyncio check; the first asserts the store provides every contract method."""
