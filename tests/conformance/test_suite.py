"""The conformance suite itself: complete, in step with its sync twin, and able to fail.

Each mutant below is the reference memory store with one bug a real backend could have;
the suite must catch every one, through the check named beside it.
"""

import asyncio
import dataclasses
import importlib
import json
import time
import uuid
from datetime import datetime

import msgspec
import pytest

from fabula.store import NewEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.testing.conformance import (
    ASYNC_CHECKS,
    SYNC_CHECKS,
    run_async_check,
    run_async_checks,
    run_check,
    run_checks,
)

MODULES = [
    "_appends",
    "_batches",
    "_envelope",
    "_follow",
    "_reads",
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
    def list_streams(self, prefix="", /, *, after=None, limit=None):
        found = super().list_streams("", after=after)
        pattern = prefix.replace("_", "?")
        kept = [i for i in found if _like(i.stream_id, pattern)]
        return kept if limit is None else kept[:limit]


def _like(text: str, pattern: str) -> bool:
    return len(text) >= len(pattern) and all(
        p in ("?", t) for p, t in zip(pattern, text, strict=False)
    )


class CaseInsensitiveOrder(MemoryStore):
    def list_streams(self, prefix="", /, *, after=None, limit=None):
        return sorted(super().list_streams(prefix, after=after, limit=limit), key=_folded)


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


class NotAContextManager(MemoryStore):
    __exit__ = None  # type: ignore[assignment]


class EntersAnotherStore(MemoryStore):
    def __enter__(self):
        return MemoryStore()


MUTANTS = [
    (NoCountStreams, "check_provides_every_contract_method"),
    (ReadAllWithoutCategories, "check_provides_every_contract_method"),
    (IgnoresPreconditions, "check_append_no_stream"),
    (IgnoresPreconditions, "check_append_expected_version"),
    (IgnoresPreconditions, "check_append_stream_exists"),
    (IgnoresPreconditions, "check_failed_append_writes_nothing"),
    (ForgetsDeduplicated, "check_reappend_returns_original_result"),
    (ForgetsDeduplicated, "check_reappend_after_stream_moved_on"),
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
    (NotAContextManager, "check_provides_every_contract_method"),
    (EntersAnotherStore, "check_entering_gives_the_store"),
]

CHECKS_BY_NAME = {check.__name__: check for check in SYNC_CHECKS}


@pytest.mark.parametrize(
    ("mutant", "check_name"), MUTANTS, ids=[f"{m.__name__}-{c}" for m, c in MUTANTS]
)
def test_suite_catches_mutant(mutant, check_name):
    with pytest.raises(AssertionError):
        run_check(CHECKS_BY_NAME[check_name], mutant)


def test_run_checks_reports_every_failure():
    with pytest.raises(ExceptionGroup) as caught:
        run_checks(IgnoresDirection, checks=SYNC_CHECKS[:17])
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
