# Generated from _reads_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: reading a stream, the global log and causation chains."""

from __future__ import annotations

import uuid

from fabula.store import Direction, EventStore, StoredEvent, category_of
from fabula.testing.conformance._events import (
    event_ids,
    new_events,
    unique_category,
    unique_stream,
    versions,
)
from fabula.testing.conformance._expect import expect, expect_equal
from fabula.testing.conformance._reads_base import _expect_increasing
from fabula.testing.conformance._settle import settle, settled_head

__all__ = [
    "check_read_all_after_position",
    "check_read_all_by_category",
    "check_read_all_by_type",
    "check_read_all_limit",
    "check_read_caused_by",
    "check_read_stream_bounds_and_limit",
    "check_read_stream_directions",
    "check_read_stream_unknown_is_empty",
]


def check_read_stream_directions(store: EventStore) -> None:
    """``read_stream`` returns only its stream's events, by version, forwards or backwards."""
    stream, other = unique_stream(), unique_stream()
    written = new_events(2)
    store.append(stream, written[:1])
    store.append(other, new_events(2))
    store.append(stream, written[1:])
    forwards = store.read_stream(stream)
    expect_equal(versions(forwards), [1, 2], "versions read forwards")
    expect_equal(event_ids(forwards), event_ids(written), "event ids read forwards")
    expect(all(e.stream_id == stream for e in forwards), "read_stream returned other streams")
    _expect_increasing(forwards, "read_stream forwards")
    backwards = store.read_stream(stream, direction="backwards")
    expect_equal(backwards, forwards[::-1], "read backwards vs forwards reversed")


def check_read_stream_bounds_and_limit(store: EventStore) -> None:
    """``from_version`` and ``to_version`` bound a read inclusively; ``limit`` caps it."""
    stream = unique_stream()
    store.append(stream, new_events(5))
    cases: list[tuple[Direction, int | None, int | None, int | None, list[int]]] = [
        ("forwards", 2, None, None, [2, 3, 4, 5]),
        ("forwards", None, 3, None, [1, 2, 3]),
        ("forwards", 2, 4, None, [2, 3, 4]),
        ("forwards", None, None, 2, [1, 2]),
        ("forwards", 2, None, 2, [2, 3]),
        ("forwards", 3, 3, None, [3]),
        ("forwards", 6, None, None, []),
        ("forwards", 4, 2, None, []),
        ("forwards", None, 9, None, [1, 2, 3, 4, 5]),
        ("backwards", 2, 4, None, [4, 3, 2]),
        ("backwards", None, None, 2, [5, 4]),
        ("backwards", None, 4, 2, [4, 3]),
        ("backwards", 2, None, 10, [5, 4, 3, 2]),
        ("backwards", 6, None, None, []),
        ("forwards", None, None, 0, []),
        ("backwards", None, None, 0, []),
    ]
    for direction, low, high, limit, want in cases:
        got = store.read_stream(
            stream, direction=direction, from_version=low, to_version=high, limit=limit
        )
        expect_equal(
            versions(got),
            want,
            f"read_stream({direction}, from_version={low}, to_version={high}, limit={limit})",
        )


def check_read_stream_unknown_is_empty(store: EventStore) -> None:
    """Reading a stream that has no events returns an empty list, in either direction."""
    stream = unique_stream()
    expect_equal(store.read_stream(stream), [], "read_stream of an unknown stream")
    expect_equal(
        store.read_stream(stream, direction="backwards", limit=3),
        [],
        "read_stream backwards of an unknown stream",
    )


def check_read_all_after_position(store: EventStore) -> None:
    """``read_all(after=p)`` returns every later event, across streams, in commit order."""
    a, b = unique_stream(), unique_stream()
    base = settled_head(store)
    written = new_events(5)
    store.append(a, written[:2])
    store.append(b, written[2:3])
    settle(store, store.append(a, written[3:]))
    found = store.read_all(after=base)
    expect_equal(event_ids(found), event_ids(written), "read_all after the head before appends")
    expect_equal([e.stream_id for e in found], [a, a, b, a, a], "streams of the read events")
    expect_equal(versions(found), [1, 2, 1, 3, 4], "versions of the read events")
    _expect_increasing(found, "read_all")
    rest = store.read_all(after=found[1].position)
    expect_equal(rest, found[2:], "read_all after the second event's position")
    expect_equal(store.read_all(after=found[-1].position), [], "read_all after the head")


def check_read_all_limit(store: EventStore) -> None:
    """``limit`` caps a ``read_all`` page (0: none); paging by last position reads all once."""
    stream = unique_stream()
    base = settled_head(store)
    written = new_events(7)
    settle(store, store.append(stream, written))
    first = store.read_all(after=base, limit=3)
    expect_equal(event_ids(first), event_ids(written[:3]), "read_all with limit=3")
    expect_equal(store.read_all(after=base, limit=0), [], "read_all with limit=0")
    expect_equal(
        store.read_all(after=base, limit=0, types=["Happened"]),
        [],
        "read_all with limit=0 and a types filter",
    )
    paged: list[StoredEvent] = []
    after = base
    while page := store.read_all(after=after, limit=2):
        expect(len(page) <= 2, f"read_all(limit=2) returned {len(page)} events")
        paged.extend(page)
        after = page[-1].position
    expect_equal(event_ids(paged), event_ids(written), "events read in pages of 2")


def check_read_all_by_type(store: EventStore) -> None:
    """``types`` keeps only events of those types; ``limit`` counts kept events only."""
    stream = unique_stream()
    base = settled_head(store)
    tag = uuid.uuid4().hex[:8]
    opened, noted, closed = f"Opened{tag}", f"Noted{tag}", f"Closed{tag}"
    written = [
        *new_events(1, event_type=opened),
        *new_events(3, event_type=noted),
        *new_events(1, event_type=closed),
    ]
    settle(store, store.append(stream, written))
    found = store.read_all(after=base, types=[opened, closed])
    expect_equal(event_ids(found), event_ids([written[0], written[4]]), "types=[Opened, Closed]")
    found = store.read_all(after=base, types={closed}, limit=1)
    expect_equal(event_ids(found), event_ids(written[4:]), "types={Closed}, limit=1")
    found = store.read_all(after=base, types=(noted,), limit=2)
    expect_equal(event_ids(found), event_ids(written[1:3]), "types=(Noted,), limit=2")
    found = store.read_all(after=found[-1].position, types=[noted])
    expect_equal(event_ids(found), event_ids(written[3:4]), "types=[Noted] after a kept event")
    expect_equal(store.read_all(after=base, types=[]), [], "types=[] keeps nothing")
    expect_equal(store.read_all(after=base, types=[f"Unknown{tag}"]), [], "an unknown type")


def check_read_all_by_category(store: EventStore) -> None:
    """``categories`` keeps events whose stream's ``category_of`` is listed, also with ``types``."""
    cat = unique_category()
    longer = f"{cat}x"  # shares cat as a text prefix, but is another category
    streams = [f"{cat}-1", f"{longer}-1", f"{cat}-2-sub", cat, f"{longer}"]
    base = settled_head(store)
    for index, stream in enumerate(streams):
        kind = "Even" if index % 2 == 0 else "Odd"
        settle(store, store.append(stream, new_events(1, event_type=f"{kind}{cat}")))
    everything = store.read_all(after=base)
    expect_equal([e.stream_id for e in everything], streams, "streams of all events")
    for wanted in ([cat], [longer], [cat, longer]):
        found = store.read_all(after=base, categories=wanted)
        expect_equal(
            [e.stream_id for e in found],
            [s for s in streams if category_of(s) in wanted],
            f"categories={wanted}",
        )
    found = store.read_all(after=base, categories=[cat], types=[f"Even{cat}"])
    expect_equal([e.stream_id for e in found], [f"{cat}-1", f"{cat}-2-sub"], "categories and types")
    found = store.read_all(after=base, categories=[longer], limit=1)
    expect_equal([e.stream_id for e in found], [f"{longer}-1"], "categories with limit=1")
    expect_equal(store.read_all(after=base, categories=[]), [], "categories=[]")


def check_read_caused_by(store: EventStore) -> None:
    """``read_caused_by`` returns the events caused by an id, across streams, in log order."""
    cause, other_cause = uuid.uuid4(), uuid.uuid4()
    a, b = unique_stream(), unique_stream()
    first = new_events(2, causation_id=cause)
    second = new_events(1, causation_id=cause)
    store.append(a, first)
    store.append(b, new_events(1, causation_id=other_cause))
    store.append(b, new_events(1))
    settle(store, store.append(b, second))
    found = store.read_caused_by(cause)
    expect_equal(event_ids(found), event_ids(first + second), "events caused by the id")
    expect(all(e.causation_id == cause for e in found), "read_caused_by: wrong causation ids")
    _expect_increasing(found, "read_caused_by")
    expect_equal(store.read_caused_by(uuid.uuid4()), [], "read_caused_by of an unused id")
