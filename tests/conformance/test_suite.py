"""The conformance suite itself: complete, in step with its sync twin, and able to fail.

Each mutant below is the reference memory store with one bug a real backend could have;
the suite must catch every one, through the check named beside it. Every check of the
suite is named by one mutant at least (``test_every_check_has_a_mutant_that_it_catches``):
a new check needs a mutant store that breaks its rule.
"""

import asyncio
import dataclasses
import importlib
import json
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

import msgspec
import pytest

from fabula import (
    ConcurrencyError,
    DuplicateEvent,
    InvalidArgument,
    InvalidStreamId,
    StoreError,
    StreamDeleted,
)
from fabula.store import (
    ANY_VERSION,
    AppendResult,
    ExpectedVersion,
    ImportResult,
    NewEvent,
    StoredEvent,
    Subscription,
)
from fabula.store.memory import AsyncMemoryStore, MemoryLog, MemoryStore
from fabula.testing.conformance import (
    ASYNC_CHECKS,
    SYNC_CHECKS,
    run_async_check,
    run_async_checks,
    run_check,
    run_checks,
)

MODULES = [
    "_closing",
    "_arguments",
    "_appends",
    "_batches",
    "_envelope",
    "_follow",
    "_lifecycle",
    "_reads",
    "_imports",
    "_snapshots",
    "_streams",
    "_surface",
]


def test_every_check_is_in_the_suite_once():
    defined = []
    for name in MODULES:
        module = importlib.import_module(f"fabula.testing.conformance.{name}_async")
        defined += [n for n in module.__all__ if n.startswith("check_")]
    names = [check.__name__ for check in ASYNC_CHECKS]
    assert sorted(names) == sorted(defined)
    assert len(set(names)) == len(names)
    assert names[0] == "check_provides_every_contract_method"


def test_sync_and_async_suites_match():
    assert [c.__name__ for c in SYNC_CHECKS] == [c.__name__ for c in ASYNC_CHECKS]
    assert all(c.__module__.endswith("_async") for c in ASYNC_CHECKS)
    assert not any(c.__module__.endswith("_async") for c in SYNC_CHECKS)


def test_run_checks_passes_on_the_reference_store():
    run_checks(MemoryStore)


class NoCountStreams(MemoryStore):
    count_streams = None  # type: ignore[assignment]


class ReadAllWithoutCategories(MemoryStore):
    def read_all(self, *, after=0, limit=None, types=None):  # type: ignore[override]
        return super().read_all(after=after, limit=limit, types=types)


class IgnoresPreconditions(MemoryStore):
    def append(self, stream_id, events, /, *, precondition=None):
        return super().append(stream_id, events)


class ForgetsDeduplicated(MemoryStore):
    def append(self, stream_id, events, /, **options):
        return dataclasses.replace(super().append(stream_id, events, **options), deduplicated=False)


class DedupesByIdAlone(MemoryStore):
    """Deduplicates by event id alone: other content for a stored id is dropped in silence."""

    def _as_stored(self, events: Sequence[NewEvent]) -> list[NewEvent]:
        stored = {e.event_id: e for e in self.read_all()}
        return [_new_event(stored[e.event_id]) if e.event_id in stored else e for e in events]

    def append(self, stream_id, events, /, **options):
        return super().append(stream_id, self._as_stored(events), **options)

    def append_many(self, appends, /):
        return super().append_many(
            [dataclasses.replace(a, events=self._as_stored(a.events)) for a in appends]
        )


def _new_event(stored: StoredEvent) -> NewEvent:
    return NewEvent(
        event_id=stored.event_id,
        type=stored.type,
        data=stored.data,
        schema_version=stored.schema_version,
        metadata=stored.metadata,
        causation_id=stored.causation_id,
        correlation_id=stored.correlation_id,
    )


class WritesOneByOne(MemoryStore):
    def append(self, stream_id, events, /, **options):
        result = super().append(stream_id, events[:1], **options)
        for event in events[1:]:
            result = super().append(stream_id, [event])
        return result


class CreatesEmptyStreams(MemoryStore):
    def append(self, stream_id, events, /, **options):
        if not events:
            events = [NewEvent(event_id=uuid.uuid4(), type="Empty", data="{}")]
        return super().append(stream_id, events, **options)


class IgnoresDirection(MemoryStore):
    def read_stream(self, stream_id, /, *, direction="forwards", **bounds):
        return super().read_stream(stream_id, **bounds)


class IgnoresReadAllLimit(MemoryStore):
    def read_all(self, *, after=0, limit=None, types=None, categories=None):
        return super().read_all(after=after, types=types, categories=categories)


class AfterIsInclusive(MemoryStore):
    def read_all(self, *, after=0, limit=None, types=None, categories=None):
        return super().read_all(
            after=max(after - 1, 0), limit=limit, types=types, categories=categories
        )


class NaiveRecordedAt(MemoryStore):
    def read_stream(self, stream_id, /, **options):
        return [
            msgspec.structs.replace(e, recorded_at=datetime.now())
            for e in super().read_stream(stream_id, **options)
        ]


class ReencodesJson(MemoryStore):
    def read_stream(self, stream_id, /, **options):
        return [
            msgspec.structs.replace(e, data=json.dumps(json.loads(e.data)))
            for e in super().read_stream(stream_id, **options)
        ]


class LikeWildcards(MemoryStore):
    def list_streams(self, prefix="", /, *, after=None, limit=None, status="live"):
        found = super().list_streams("", after=after, status=status)
        pattern = prefix.replace("_", "?")
        kept = [i for i in found if _like(i.stream_id, pattern)]
        return kept if limit is None else kept[:limit]


def _like(text: str, pattern: str) -> bool:
    return len(text) >= len(pattern) and all(
        p in ("?", t) for p, t in zip(pattern, text, strict=False)
    )


class CaseInsensitiveOrder(MemoryStore):
    def list_streams(self, prefix="", /, *, after=None, limit=None, status="live"):
        found = super().list_streams(prefix, after=after, limit=limit, status=status)
        return sorted(found, key=_folded)


def _folded(info):
    return info.stream_id.lower()


class IgnoresMaxVersion(MemoryStore):
    def load_snapshot(self, stream_id, /, *, max_version=None):
        return super().load_snapshot(stream_id)


class KeepsFirstSnapshot(MemoryStore):
    def save_snapshot(self, snapshot, /):
        found = self.load_snapshot(snapshot.stream_id, max_version=snapshot.version)
        if found is None or found.version != snapshot.version:
            super().save_snapshot(snapshot)


class NeverWakes(MemoryStore):
    def wait_for_events(self, after, /, *, timeout):
        if self.head() > after:
            return True
        time.sleep(min(timeout, 2.5))  # past the check's bound for "early"
        return self.head() > after


class NeverWaits(MemoryStore):
    def wait_for_events(self, after, /, *, timeout):
        return self.head() > after


# -- codec branch: the JSON check at append time ---------------------------------------


class KeepsAnyText(MemoryStore):
    """Skips the JSON check: keeps data and metadata that are not JSON text."""

    def append(self, stream_id, events, /, *, precondition=ANY_VERSION):
        return self._log.append(stream_id, events, precondition)

    def append_many(self, appends, /):
        return self._log.append_many(appends)

    def save_snapshot(self, snapshot, /):
        self._log.save_snapshot(snapshot)


class KeepsAnySnapshotText(MemoryStore):
    """Checks appends but keeps snapshot data that is not JSON text."""

    def save_snapshot(self, snapshot, /):
        self._log.save_snapshot(snapshot)


class ImportIgnoresVersions(MemoryStore):
    """Imports chunk by chunk with plain appends: any version, no check of the whole chunk."""

    def import_events(self, events, /, *, chunk_size=10_000, progress=None):
        events = list(events)
        for event in events:
            self.append(
                event.stream_id,
                [NewEvent(event_id=event.event_id, type=event.type, data=event.data)],
            )
        return ImportResult(len(events), 1, self.head())


class NotAContextManager(MemoryStore):
    __exit__ = None  # type: ignore[assignment]


class EntersAnotherStore(MemoryStore):
    def __enter__(self):
        return MemoryStore()


class UsableAfterClose(MemoryStore):
    """Closing does nothing (as the memory store did): a closed store goes on working."""

    def close(self) -> None:
        pass


class StoreErrorAfterClose(MemoryStore):
    """Says a closed store failed with a plain ``StoreError`` (PostgreSQL did): runners retry."""

    def close(self) -> None:
        super().close()
        self._closed = False
        self._shared = cast("MemoryLog", _FailingLog())


class _FailingLog:
    def __getattr__(self, name: str) -> object:
        raise StoreError("the PostgreSQL store is closed")


MUTANTS = [
    (UsableAfterClose, "check_a_closed_store_refuses_every_use"),
    (StoreErrorAfterClose, "check_a_closed_store_refuses_every_use"),
    (ImportIgnoresVersions, "check_import_keeps_versions_ids_and_order"),
    (NoCountStreams, "check_provides_every_contract_method"),
    (ReadAllWithoutCategories, "check_provides_every_contract_method"),
    (IgnoresPreconditions, "check_append_no_stream"),
    (IgnoresPreconditions, "check_append_expected_version"),
    (IgnoresPreconditions, "check_append_stream_exists"),
    (IgnoresPreconditions, "check_failed_append_writes_nothing"),
    (ForgetsDeduplicated, "check_reappend_returns_original_result"),
    (ForgetsDeduplicated, "check_reappend_after_stream_moved_on"),
    (DedupesByIdAlone, "check_reappend_with_other_content_raises_duplicate_event"),
    (DedupesByIdAlone, "check_append_many_retry_with_other_content_raises"),
    (WritesOneByOne, "check_failed_append_writes_nothing"),
    (CreatesEmptyStreams, "check_append_zero_events"),
    (IgnoresDirection, "check_read_stream_directions"),
    (IgnoresDirection, "check_read_stream_bounds_and_limit"),
    (IgnoresReadAllLimit, "check_read_all_limit"),
    (IgnoresReadAllLimit, "check_read_all_by_type"),
    (AfterIsInclusive, "check_read_all_after_position"),
    (AfterIsInclusive, "check_subscription_follows_live"),
    (NaiveRecordedAt, "check_envelope_round_trips"),
    (ReencodesJson, "check_json_text_is_kept_verbatim"),
    (LikeWildcards, "check_list_streams_order_and_literal_prefix"),
    (CaseInsensitiveOrder, "check_list_streams_order_and_literal_prefix"),
    (IgnoresMaxVersion, "check_snapshots_newest_and_time_travel"),
    (KeepsFirstSnapshot, "check_snapshot_replaced_at_same_version"),
    (NeverWakes, "check_wait_for_events_wakes_on_append"),
    (NeverWaits, "check_wait_for_events_times_out"),
    (KeepsAnyText, "check_text_that_is_not_json_is_refused"),
    (KeepsAnySnapshotText, "check_text_that_is_not_json_is_refused"),
    (NotAContextManager, "check_provides_every_contract_method"),
    (EntersAnotherStore, "check_entering_gives_the_store"),
]

# -- Mutants for every other check (branch inputs: issue 10 items 10, 12, 13, 17) ---------
# One mutant (at least) per check, so that no check of the suite is shown only to pass.


class VersionIsBatchSize(MemoryStore):
    def append(self, stream_id, events, /, **options):
        result = super().append(stream_id, events, **options)
        return dataclasses.replace(result, version=len(events) or result.version)


class ReversedPositions(MemoryStore):
    def append(self, stream_id, events, /, **options):
        result = super().append(stream_id, events, **options)
        return dataclasses.replace(result, positions=result.positions[::-1])


class SwallowsDuplicates(MemoryStore):
    def append(self, stream_id, events, /, **options):
        try:
            return super().append(stream_id, events, **options)
        except DuplicateEvent:
            return AppendResult(stream_id, self.stream_version(stream_id), ())


class ReversedBatchResults(MemoryStore):
    def append_many(self, appends, /):
        return super().append_many(appends)[::-1]


class AppendManyOneByOne(MemoryStore):
    def append_many(self, appends, /):
        return [self.append(a.stream_id, a.events, precondition=a.precondition) for a in appends]


class AppendManyChecksFirstOnly(MemoryStore):
    def append_many(self, appends, /):
        loose = [dataclasses.replace(a, precondition=ANY_VERSION) for a in appends[1:]]
        return super().append_many([*appends[:1], *loose])


class AppendManyForgetsDeduplicated(MemoryStore):
    def append_many(self, appends, /):
        return [dataclasses.replace(r, deduplicated=False) for r in super().append_many(appends)]


class PhantomEventInUnknownStreams(MemoryStore):
    def read_stream(self, stream_id, /, **options):
        found = super().read_stream(stream_id, **options)
        if found or self.stream_version(stream_id):
            return found
        return [
            StoredEvent(
                position=0,
                stream_id=stream_id,
                version=0,
                event_id=uuid.UUID(int=0),
                type="StreamCreated",
                data="{}",
                schema_version=1,
                metadata="{}",
                causation_id=None,
                correlation_id=None,
                recorded_at=datetime.now(UTC),
            )
        ]


class CategoryIsTextPrefix(MemoryStore):
    def read_all(self, *, after=0, limit=None, types=None, categories=None):
        found = super().read_all(after=after, types=types)
        if categories is not None:
            found = [e for e in found if any(e.stream_id.startswith(c) for c in categories)]
        return found if limit is None else found[:limit]


class CausedByAnything(MemoryStore):
    def read_caused_by(self, causation_id, /):
        return [e for e in self.read_all() if e.causation_id is not None]


class NoVersionForUnknownStreams(MemoryStore):
    def stream_version(self, stream_id, /):
        return super().stream_version(stream_id) or None


class ListStreamsIgnoresAfter(MemoryStore):
    def list_streams(self, prefix="", /, *, after=None, limit=None, status="live"):
        return super().list_streams(prefix, limit=limit, status=status)


class AlwaysWaits(MemoryStore):
    def wait_for_events(self, after, /, *, timeout):
        time.sleep(min(timeout, 2.1))  # past the checks' bound for "early"
        return self.head() > after


class SubscriptionIgnoresBatchSize(MemoryStore):
    def subscribe(self, *, batch_size=500, **options):
        return super().subscribe(**options)


class SubscriptionIgnoresCategories(MemoryStore):
    def subscribe(self, *, categories=None, **options):
        return super().subscribe(**options)


class PagePositionSubscription(Subscription):
    @property
    def position(self):
        return self._scanned  # the page's end, even while its events are still iterated


class IteratesWithPagePosition(MemoryStore):
    def subscribe(self, **options):
        return PagePositionSubscription(self, **options)


class ResumesInclusive(MemoryStore):
    def subscribe(self, *, after=0, **options):
        return super().subscribe(after=max(after - 1, 0), **options)


class SlowEmptyBatchSubscription(Subscription):
    def next_batch(self, *, timeout=None):
        # Rounds a short timeout up to a poll interval.
        return super().next_batch(timeout=None if timeout is None else max(timeout, 2.1))


class RoundsTimeoutsUp(MemoryStore):
    def subscribe(self, **options):
        return SlowEmptyBatchSubscription(self, **options)


class TrustsStreamIds(MemoryStore):
    def stream_version(self, stream_id, /):
        return self._log.stream_version(stream_id)


class TrustsAppendedStreamIds(MemoryStore):
    def append(self, stream_id, events, /, *, precondition=ANY_VERSION):
        return self._log.append(stream_id, events, precondition)


class InvalidArgumentForStreamIds(MemoryStore):
    def read_stream(self, stream_id, /, **options):
        try:
            return super().read_stream(stream_id, **options)
        except InvalidStreamId as exc:
            raise InvalidArgument(exc.argument, exc.value, "a stream id") from None


class TruncatesStreamIds(MemoryStore):  # a VARCHAR(255) column without strict mode
    def append(self, stream_id, events, /, **options):
        return super().append(stream_id[:255], events, **options)

    def read_stream(self, stream_id, /, **options):
        return super().read_stream(stream_id[:255], **options)


class UncheckedReadAll(MemoryStore):
    def read_all(self, *, after=0, limit=None, types=None, categories=None):
        return self._log.read_all(after, limit, types, categories)


class UncheckedSubscribe(MemoryStore):
    def subscribe(self, **options):
        return Subscription(self, **options)


class ValueErrorForFilters(MemoryStore):
    def read_all(self, *, types=None, **options):
        if isinstance(types, str):
            msg = "types must not be a str"
            raise ValueError(msg)
        return super().read_all(types=types, **options)


class UncheckedWait(MemoryStore):
    def wait_for_events(self, after, /, *, timeout):
        return self._log.head() > after


class TrustsNewEvents(MemoryStore):
    def append(self, stream_id, events, /, *, precondition=ANY_VERSION):
        return self._log.append(stream_id, events, precondition)


class TrustsBatches(MemoryStore):
    def append_many(self, appends, /):
        return self._log.append_many(appends)


class TrustsSnapshots(MemoryStore):
    def save_snapshot(self, snapshot, /):
        self._log.save_snapshot(snapshot)


class ArchiveChangesNothing(MemoryStore):
    def archive_stream(self, stream_id, /):
        self.stream_state(stream_id)


class DeletedStreamsReadEmpty(MemoryStore):  # a soft delete that filters rows instead
    def read_stream(self, stream_id, /, **options):
        try:
            return super().read_stream(stream_id, **options)
        except StreamDeleted:
            return []


class TruncateDropsSnapshots(MemoryStore):
    def truncate_stream(self, stream_id, /, *, before):
        super().truncate_stream(stream_id, before=before)
        self._log._snapshots.pop(stream_id, None)


class LifecycleOfAnyStream(MemoryStore):
    def archive_stream(self, stream_id, /):
        if self.stream_version(stream_id):
            super().archive_stream(stream_id)


class PreconditionBeforeLifecycle(MemoryStore):
    def append(self, stream_id, events, /, *, precondition=ANY_VERSION):
        current = self.stream_version(stream_id)
        if isinstance(precondition, ExpectedVersion) and precondition.version != current:
            raise ConcurrencyError(stream_id, str(precondition), current)
        return super().append(stream_id, events, precondition=precondition)


MORE_MUTANTS = [
    (VersionIsBatchSize, "check_append_any_version"),
    (ReversedPositions, "check_append_returns_version_and_positions"),
    (SwallowsDuplicates, "check_reused_event_id_raises_duplicate_event"),
    (ReversedBatchResults, "check_append_many_orders_results_and_positions"),
    (AppendManyOneByOne, "check_append_many_is_all_or_nothing"),
    (AppendManyChecksFirstOnly, "check_append_many_checks_each_precondition"),
    (AppendManyForgetsDeduplicated, "check_append_many_retry_returns_original_results"),
    (PhantomEventInUnknownStreams, "check_read_stream_unknown_is_empty"),
    (CategoryIsTextPrefix, "check_read_all_by_category"),
    (CausedByAnything, "check_read_caused_by"),
    (NoVersionForUnknownStreams, "check_stream_version_and_head"),
    (ListStreamsIgnoresAfter, "check_list_streams_by_prefix"),
    (AlwaysWaits, "check_wait_for_events_returns_at_once"),
    (SubscriptionIgnoresBatchSize, "check_subscription_catches_up"),
    (SubscriptionIgnoresCategories, "check_subscription_filters"),
    (IteratesWithPagePosition, "check_subscription_iterates"),
    (ResumesInclusive, "check_subscription_resumes_from_checkpoint"),
    (RoundsTimeoutsUp, "check_next_batch_times_out_empty"),
    (TrustsStreamIds, "check_bad_stream_ids_are_refused"),
    (TrustsAppendedStreamIds, "check_bad_stream_ids_are_refused"),
    (InvalidArgumentForStreamIds, "check_bad_stream_ids_are_refused"),
    (TruncatesStreamIds, "check_longest_stream_ids_are_stored"),
    (UncheckedReadAll, "check_bad_filters_are_refused"),
    (UncheckedSubscribe, "check_bad_filters_are_refused"),
    (ValueErrorForFilters, "check_bad_filters_are_refused"),
    (UncheckedReadAll, "check_bad_numbers_are_refused"),
    (UncheckedWait, "check_bad_numbers_are_refused"),
    (TrustsNewEvents, "check_bad_events_are_refused"),
    (TrustsBatches, "check_bad_events_are_refused"),
    (TrustsSnapshots, "check_bad_snapshots_are_refused"),
    (ArchiveChangesNothing, "check_archive_hides_and_unarchive_restores"),
    (DeletedStreamsReadEmpty, "check_delete_ends_a_stream_with_a_tombstone"),
    (TruncateDropsSnapshots, "check_truncate_hides_old_versions_keeps_newest_snapshot"),
    (LifecycleOfAnyStream, "check_lifecycle_mistakes_are_refused"),
    (PreconditionBeforeLifecycle, "check_lifecycle_comes_before_preconditions"),
]


CHECKS_BY_NAME = {check.__name__: check for check in SYNC_CHECKS}


ALL_MUTANTS = [*MUTANTS, *MORE_MUTANTS]


@pytest.mark.parametrize(
    ("mutant", "check_name"), ALL_MUTANTS, ids=[f"{m.__name__}-{c}" for m, c in ALL_MUTANTS]
)
def test_suite_catches_mutant(mutant, check_name):
    with pytest.raises(AssertionError):
        run_check(CHECKS_BY_NAME[check_name], mutant)


def test_every_check_has_a_mutant_that_it_catches():
    # A new check without a mutant fails here: add a mutant store that breaks its rule.
    named = {check_name for _, check_name in ALL_MUTANTS}
    assert named == set(CHECKS_BY_NAME)


def test_run_checks_reports_every_failure():
    with pytest.raises(ExceptionGroup) as caught:
        run_checks(IgnoresDirection, checks=SYNC_CHECKS[:20])
    notes = [note for error in caught.value.exceptions for note in error.__notes__]
    assert notes == [
        "conformance check check_read_stream_directions failed",
        "conformance check check_read_stream_bounds_and_limit failed",
    ]


class BlockingHead(AsyncMemoryStore):
    def head(self):
        return 0


def test_async_suite_catches_a_method_that_is_not_a_coroutine():
    with pytest.raises(AssertionError, match=r"head\(\) must be a coroutine function"):
        asyncio.run(run_async_check(ASYNC_CHECKS[0], BlockingHead))


def test_run_async_checks_takes_an_async_factory():
    async def open_store():
        return AsyncMemoryStore()

    asyncio.run(run_async_checks(open_store, checks=ASYNC_CHECKS[:5]))
