"""Conformance: appending, with each precondition, atomically, and idempotently on retry."""

from __future__ import annotations

from fabula._errors import ConcurrencyError, DuplicateEvent, FabulaError, StreamNotFound
from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    AppendResult,
    AsyncEventStore,
    ExpectedVersion,
    Precondition,
)
from fabula.testing.conformance._events import (
    event_ids,
    new_events,
    other_contents,
    positions,
    unique_category,
    unique_stream,
)
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle_async import expect_nothing_appended, settle

__all__ = [
    "check_append_any_version",
    "check_append_expected_version",
    "check_append_no_stream",
    "check_append_returns_version_and_positions",
    "check_append_stream_exists",
    "check_append_zero_events",
    "check_failed_append_writes_nothing",
    "check_reappend_after_stream_moved_on",
    "check_reappend_returns_original_result",
    "check_reappend_with_other_content_raises_duplicate_event",
    "check_reused_event_id_raises_duplicate_event",
]


async def _expect_conflict(
    store: AsyncEventStore, stream: str, precondition: Precondition, actual: int
) -> None:
    with raises(ConcurrencyError, f"append to {stream!r} at {actual} with {precondition}") as c:
        await store.append(stream, new_events(1), precondition=precondition)
    expect_equal(c.error.stream_id, stream, "ConcurrencyError.stream_id")
    expect_equal(c.error.expected, str(precondition), "ConcurrencyError.expected")
    expect_equal(c.error.actual, actual, "ConcurrencyError.actual")


async def check_append_no_stream(store: AsyncEventStore) -> None:
    """``NoStream`` appends to a new stream and refuses an existing one (``ConcurrencyError``)."""
    stream = unique_stream()
    result = await store.append(stream, new_events(2), precondition=NO_STREAM)
    expect_equal(result.version, 2, "version after a NoStream append of 2 events")
    await _expect_conflict(store, stream, NO_STREAM, 2)
    expect_equal(await store.stream_version(stream), 2, "version after the refused append")


async def check_append_stream_exists(store: AsyncEventStore) -> None:
    """``StreamExists`` refuses a missing stream (``StreamNotFound``), extends an existing one."""
    stream = unique_stream()
    with raises(StreamNotFound, "append with StreamExists to a missing stream") as caught:
        await store.append(stream, new_events(1), precondition=STREAM_EXISTS)
    expect_equal(caught.error.stream_id, stream, "StreamNotFound.stream_id")
    expect(isinstance(caught.error, LookupError), "StreamNotFound must be a LookupError")
    await store.append(stream, new_events(1))
    result = await store.append(stream, new_events(2), precondition=STREAM_EXISTS)
    expect_equal(result.version, 3, "version after a StreamExists append")


async def check_append_expected_version(store: AsyncEventStore) -> None:
    """``ExpectedVersion(n)`` appends only at version n; otherwise ``ConcurrencyError``."""
    stream = unique_stream()
    await _expect_conflict(store, stream, ExpectedVersion(1), 0)
    result = await store.append(stream, new_events(2), precondition=ExpectedVersion(0))
    expect_equal(result.version, 2, "version after ExpectedVersion(0) on a new stream")
    await _expect_conflict(store, stream, ExpectedVersion(0), 2)
    await _expect_conflict(store, stream, ExpectedVersion(1), 2)
    await _expect_conflict(store, stream, ExpectedVersion(3), 2)
    result = await store.append(stream, new_events(1), precondition=ExpectedVersion(2))
    expect_equal(result.version, 3, "version after ExpectedVersion(2)")
    expect_equal(await store.stream_version(stream), 3, "stream_version after the appends")


async def check_append_any_version(store: AsyncEventStore) -> None:
    """``AnyVersion`` (also the default) appends to new and existing streams alike."""
    stream = unique_stream()
    result = await store.append(stream, new_events(1), precondition=ANY_VERSION)
    expect_equal(result.version, 1, "AnyVersion append to a new stream")
    result = await store.append(stream, new_events(2), precondition=ANY_VERSION)
    expect_equal(result.version, 3, "AnyVersion append to an existing stream")
    result = await store.append(stream, new_events(1))
    expect_equal(result.version, 4, "append without a precondition to an existing stream")
    other = unique_stream()
    result = await store.append(other, new_events(1))
    expect_equal(result.version, 1, "append without a precondition to a new stream")


async def check_append_returns_version_and_positions(store: AsyncEventStore) -> None:
    """The result names the stream, its new version and the new, increasing log positions."""
    stream = unique_stream()
    head = await store.head()
    first = await settle(store, await store.append(stream, new_events(3)))
    expect_equal(first.stream_id, stream, "AppendResult.stream_id")
    expect_equal(first.version, 3, "AppendResult.version")
    expect(not first.deduplicated, "AppendResult.deduplicated is true for a first append")
    expect_equal(len(first.positions), 3, "one position per appended event")
    expect(first.positions[0] > head, f"positions {first.positions} must follow head {head}")
    expect(
        list(first.positions) == sorted(set(first.positions)),
        f"positions must be strictly increasing: {first.positions}",
    )
    expect_equal(first.position, first.positions[-1], "AppendResult.position (the last one)")
    stored = await store.read_stream(stream)
    expect_equal(tuple(positions(stored)), first.positions, "stored positions vs returned ones")
    expect_equal(await store.head(), first.positions[-1], "head() after the append")
    second = await settle(store, await store.append(unique_stream(), new_events(1)))
    expect_equal(await store.head(), second.position, "head() after another append")
    expect(
        second.positions[0] > first.positions[-1],
        f"a later append got position {second.positions[0]}, not after {first.positions[-1]}",
    )


async def check_failed_append_writes_nothing(store: AsyncEventStore) -> None:
    """An append whose precondition or event ids fail writes none of its events."""
    category = unique_category()
    existing, missing = unique_stream(category), unique_stream(category)
    stored = new_events(2)
    await settle(store, await store.append(existing, stored))
    head = await store.head()
    attempts: list[tuple[str, Precondition, type[FabulaError]]] = [
        (existing, NO_STREAM, ConcurrencyError),
        (existing, ExpectedVersion(1), ConcurrencyError),
        (missing, STREAM_EXISTS, StreamNotFound),
        (missing, ExpectedVersion(1), ConcurrencyError),
    ]
    for stream, precondition, error in attempts:
        with raises(error, f"append with {precondition} to {stream!r}"):
            await store.append(stream, new_events(3), precondition=precondition)
    with raises(DuplicateEvent, "a batch whose second event id is stored already"):
        await store.append(existing, [*new_events(1), stored[0]])
    with raises(DuplicateEvent, "a batch to a new stream reusing a stored event id"):
        await store.append(missing, [*new_events(2), stored[1]])
    expect_equal(await store.stream_version(existing), 2, "version after refused appends")
    expect_equal(await store.stream_version(missing), 0, "a refused append created a stream")
    expect_equal(await store.count_streams(category), 1, "streams after refused appends")
    expect_equal(len(await store.read_stream(existing)), 2, "events after refused appends")
    await expect_nothing_appended(store, head, "refused appends")


async def check_append_zero_events(store: AsyncEventStore) -> None:
    """Appending no events writes nothing and creates no stream, but checks the precondition."""
    category = unique_category()
    existing, missing = unique_stream(category), unique_stream(category)
    await settle(store, await store.append(existing, new_events(2)))
    head = await store.head()
    result = await store.append(missing, [])
    expect_equal(result, AppendResult(missing, 0, ()), "empty append to a missing stream")
    expect_equal(result.position, None, "AppendResult.position when nothing was written")
    result = await store.append(existing, [], precondition=ExpectedVersion(2))
    expect_equal(result, AppendResult(existing, 2, ()), "empty append to an existing stream")
    await _expect_conflict(store, existing, NO_STREAM, 2)
    with raises(ConcurrencyError, "empty append with a wrong ExpectedVersion"):
        await store.append(existing, [], precondition=ExpectedVersion(5))
    with raises(StreamNotFound, "empty append with StreamExists to a missing stream"):
        await store.append(missing, [], precondition=STREAM_EXISTS)
    expect_equal(await store.stream_version(missing), 0, "version of the never-written stream")
    expect_equal(await store.count_streams(category), 1, "an empty append created a stream")
    await expect_nothing_appended(store, head, "empty appends")


async def check_reappend_returns_original_result(store: AsyncEventStore) -> None:
    """Re-appending a stored batch returns its original result, deduplicated, storing nothing."""
    stream = unique_stream()
    batch = new_events(3)
    original = await settle(store, await store.append(stream, batch, precondition=NO_STREAM))
    head = await store.head()
    replay = AppendResult(stream, original.version, original.positions, deduplicated=True)
    for precondition in (NO_STREAM, ExpectedVersion(0), ANY_VERSION, STREAM_EXISTS):
        again = await store.append(stream, batch, precondition=precondition)
        expect_equal(again, replay, f"re-append of the same batch with {precondition}")
    stored = await store.read_stream(stream)
    expect_equal(event_ids(stored), event_ids(batch), "events stored after re-appends")
    await expect_nothing_appended(store, head, "re-appends")


async def check_reappend_after_stream_moved_on(store: AsyncEventStore) -> None:
    """A retried batch is recognised even after later appends moved the stream on."""
    stream = unique_stream()
    first, second, third = new_events(2), new_events(1), new_events(2)
    results = [await store.append(stream, batch) for batch in (first, second, third)]
    await settle(store, results[-1])
    head = await store.head()
    for batch, result in zip((first, second), results, strict=False):
        again = await store.append(stream, batch, precondition=ExpectedVersion(0))
        expect_equal(
            again,
            AppendResult(stream, result.version, result.positions, deduplicated=True),
            f"re-append of the batch stored at version {result.version}",
        )
    expect_equal(await store.stream_version(stream), 5, "version after re-appends")
    stored = await store.read_stream(stream)
    expect_equal(event_ids(stored), event_ids(first + second + third), "stored events")
    await expect_nothing_appended(store, head, "re-appends after the stream moved on")


async def check_reused_event_id_raises_duplicate_event(store: AsyncEventStore) -> None:
    """A stored event id reused in another stream or another batch raises ``DuplicateEvent``."""
    stream, other = unique_stream(), unique_stream()
    batch = new_events(2)
    await settle(store, await store.append(stream, batch))
    head = await store.head()
    attempts = [
        (other, [batch[0]], "the same event to another stream"),
        (other, batch, "the same batch to another stream"),
        (stream, [batch[1], *new_events(1)], "a stored id in a new batch"),
        (stream, [*new_events(1), batch[0]], "a new batch ending with a stored id"),
        (stream, [batch[1], batch[0]], "the stored batch in another order"),
    ]
    for target, events, what in attempts:
        with raises(DuplicateEvent, what) as caught:
            await store.append(target, events)
        expect_equal(caught.error.stream_id, target, f"DuplicateEvent.stream_id ({what})")
        expect(
            caught.error.event_id in event_ids(batch),
            f"DuplicateEvent.event_id {caught.error.event_id} is not a reused id ({what})",
        )
    expect_equal(await store.stream_version(other), 0, "version of the other stream")
    expect_equal(event_ids(await store.read_stream(stream)), event_ids(batch), "stored events")
    await expect_nothing_appended(store, head, "appends reusing event ids")


async def check_reappend_with_other_content_raises_duplicate_event(
    store: AsyncEventStore,
) -> None:
    """Re-appending stored event ids with other content raises ``DuplicateEvent``.

    Only an identical re-append is deduplicated: a changed type, data, metadata, schema
    version, causation or correlation id is never dropped in silence.
    """
    stream = unique_stream()
    batch = new_events(2)
    await settle(store, await store.append(stream, batch))
    stored = await store.read_stream(stream)
    head = await store.head()
    for field, changed in other_contents(batch[1]):
        with raises(DuplicateEvent, f"a re-append of the stored batch with another {field}") as c:
            await store.append(stream, [batch[0], changed])
        expect_equal(c.error.stream_id, stream, f"DuplicateEvent.stream_id (other {field})")
        expect_equal(c.error.event_id, batch[1].event_id, f"DuplicateEvent.event_id ({field})")
    expect_equal(await store.read_stream(stream), stored, "stored events after the re-appends")
    again = await store.append(stream, batch)
    expect(again.deduplicated, "an identical re-append after refused ones is deduplicated")
    await expect_nothing_appended(store, head, "re-appends with other content")
