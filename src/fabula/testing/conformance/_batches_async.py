"""Conformance: ``append_many``, several streams in one transaction (``fabula.store._batch``)."""

from __future__ import annotations

from fabula._errors import ConcurrencyError, ConfigurationError, DuplicateEvent, StreamNotFound
from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    AppendResult,
    AsyncEventStore,
    ExpectedVersion,
    StreamAppend,
)
from fabula.testing.conformance._events import (
    event_ids,
    new_events,
    other_contents,
    positions,
    unique_stream,
)
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle_async import expect_nothing_appended, settle

__all__ = [
    "check_append_many_checks_each_precondition",
    "check_append_many_is_all_or_nothing",
    "check_append_many_orders_results_and_positions",
    "check_append_many_retry_returns_original_results",
    "check_append_many_retry_with_other_content_raises",
]


async def check_append_many_orders_results_and_positions(store: AsyncEventStore) -> None:
    """``append_many`` appends to each stream, results and positions in the appends' order."""
    old, new, other = unique_stream(), unique_stream(), unique_stream()
    await settle(store, await store.append(old, new_events(2)))
    batches = [new_events(2), new_events(1), new_events(3)]
    results = await store.append_many(
        [
            StreamAppend(old, batches[0], ExpectedVersion(2)),
            StreamAppend(new, batches[1], NO_STREAM),
            StreamAppend(other, batches[2]),
        ]
    )
    await settle(store, results[-1])
    expect_equal(
        [(r.stream_id, r.version, len(r.positions)) for r in results],
        [(old, 4, 2), (new, 1, 1), (other, 3, 3)],
        "results of append_many (stream, version, events)",
    )
    flat = [p for r in results for p in r.positions]
    expect(flat == sorted(set(flat)), f"positions must increase across the appends: {flat}")
    for stream, batch, result in zip((old, new, other), batches, results, strict=True):
        stored = (await store.read_stream(stream))[-len(batch) :]
        expect_equal(event_ids(stored), event_ids(batch), f"events stored in {stream!r}")
        expect_equal(tuple(positions(stored)), result.positions, f"positions of {stream!r}")
    read = [e for e in await store.read_all(after=flat[0] - 1) if e.position <= flat[-1]]
    expect_equal(positions(read), flat, "the log holds exactly the batch's events, in order")


async def check_append_many_is_all_or_nothing(store: AsyncEventStore) -> None:
    """One failed precondition, a reused id or a repeated stream writes nothing at all."""
    fine, existing, missing = unique_stream(), unique_stream(), unique_stream()
    stored = new_events(1)
    await settle(store, await store.append(existing, stored))
    head = await store.head()
    with raises(ConcurrencyError, "append_many with one stale ExpectedVersion") as caught:
        await store.append_many(
            [StreamAppend(fine, new_events(2)), StreamAppend(existing, new_events(1), NO_STREAM)]
        )
    expect_equal(caught.error.stream_id, existing, "ConcurrencyError.stream_id")
    with raises(StreamNotFound, "append_many asserting a missing stream exists"):
        await store.append_many(
            [StreamAppend(fine, new_events(1)), StreamAppend(missing, [], STREAM_EXISTS)]
        )
    with raises(ConcurrencyError, "append_many asserting another stream's version"):
        await store.append_many(
            [StreamAppend(fine, new_events(1)), StreamAppend(existing, [], ExpectedVersion(3))]
        )
    with raises(DuplicateEvent, "append_many reusing a stored event id"):
        await store.append_many(
            [StreamAppend(fine, new_events(1)), StreamAppend(missing, [*new_events(1), *stored])]
        )
    with raises(ConfigurationError, "append_many naming one stream twice"):
        await store.append_many([StreamAppend(fine, new_events(1))] * 2)
    twice = new_events(1)
    with raises(ConfigurationError, "append_many with one event id in two appends"):
        await store.append_many([StreamAppend(fine, twice), StreamAppend(missing, twice)])
    for stream in (fine, missing):
        expect_equal(await store.stream_version(stream), 0, f"{stream!r} after refused batches")
    await expect_nothing_appended(store, head, "refused append_many calls")
    results = await store.append_many(
        [StreamAppend(fine, new_events(1)), StreamAppend(existing, [], ExpectedVersion(1))]
    )
    expect_equal(results[1], AppendResult(existing, 1, ()), "an append without events")
    await settle(store, results[0])


async def check_append_many_checks_each_precondition(store: AsyncEventStore) -> None:
    """Each append of a batch with events meets its own precondition, or nothing is written."""
    existing, other, missing = unique_stream(), unique_stream(), unique_stream()
    await settle(store, await store.append(existing, new_events(1)))
    await settle(store, await store.append(other, new_events(2)))
    head = await store.head()
    refused = [
        (StreamNotFound, StreamAppend(missing, new_events(1), STREAM_EXISTS)),
        (ConcurrencyError, StreamAppend(other, new_events(1), ExpectedVersion(1))),
        (ConcurrencyError, StreamAppend(missing, new_events(1), ExpectedVersion(1))),
        (ConcurrencyError, StreamAppend(other, new_events(1), NO_STREAM)),
    ]
    for error, append in refused:
        fine = StreamAppend(existing, new_events(1), ExpectedVersion(1))
        with raises(error, f"append_many with events and {append.precondition}"):
            await store.append_many([fine, append])
    await expect_nothing_appended(store, head, "append_many calls with one refused stream")
    expect_equal(await store.stream_version(missing), 0, f"{missing!r} after refused batches")
    fresh = unique_stream()
    results = await store.append_many(
        [
            StreamAppend(existing, new_events(2), ExpectedVersion(1)),
            StreamAppend(other, new_events(1), STREAM_EXISTS),
            StreamAppend(missing, new_events(1), NO_STREAM),
            StreamAppend(fresh, new_events(3), ANY_VERSION),
        ]
    )
    await settle(store, results[-1])
    expect_equal(
        [(r.stream_id, r.version, len(r.positions)) for r in results],
        [(existing, 3, 2), (other, 3, 1), (missing, 1, 1), (fresh, 3, 3)],
        "results of append_many, one precondition of each kind",
    )


async def check_append_many_retry_returns_original_results(store: AsyncEventStore) -> None:
    """Repeating an ``append_many`` returns its first results, deduplicated, storing nothing."""
    first, second, asserted = unique_stream(), unique_stream(), unique_stream()
    await store.append(asserted, new_events(1))
    appends = [
        StreamAppend(first, new_events(2), NO_STREAM),
        StreamAppend(asserted, [], ExpectedVersion(1)),
        StreamAppend(second, new_events(1), NO_STREAM),
    ]
    original = await store.append_many(appends)
    await settle(store, original[-1])
    head = await store.head()
    again = await store.append_many(appends)
    expect_equal(
        again,
        [
            AppendResult(first, 2, original[0].positions, deduplicated=True),
            AppendResult(asserted, 1, ()),
            AppendResult(second, 1, original[2].positions, deduplicated=True),
        ],
        "results of a repeated append_many",
    )
    with raises(DuplicateEvent, "half of a stored batch with new events beside it"):
        await store.append_many([appends[0], StreamAppend(unique_stream(), new_events(1))])
    await expect_nothing_appended(store, head, "a repeated append_many")


async def check_append_many_retry_with_other_content_raises(store: AsyncEventStore) -> None:
    """Repeating an ``append_many`` with an event's content changed raises ``DuplicateEvent``."""
    first, second = unique_stream(), unique_stream()
    batches = [new_events(1), new_events(2)]
    original = await store.append_many(
        [StreamAppend(first, batches[0]), StreamAppend(second, batches[1])]
    )
    await settle(store, original[-1])
    head = await store.head()
    for field, changed in other_contents(batches[1][1]):
        appends = [StreamAppend(first, batches[0]), StreamAppend(second, [batches[1][0], changed])]
        with raises(DuplicateEvent, f"a repeated append_many with another {field}") as caught:
            await store.append_many(appends)
        expect_equal(caught.error.event_id, changed.event_id, f"DuplicateEvent.event_id ({field})")
    stored = await store.read_stream(second)
    expect_equal(
        [(e.type, e.data, e.metadata) for e in stored],
        [(e.type, e.data, e.metadata) for e in batches[1]],
        "the stored events after repeated append_many calls with other content",
    )
    await expect_nothing_appended(store, head, "repeated append_many calls with other content")
