"""Conformance: stream versions, the log head, and listing and counting streams by prefix."""

from __future__ import annotations

from fabula.store import AsyncEventStore, StreamInfo
from fabula.testing.conformance._events import new_events, unique_category, unique_stream
from fabula.testing.conformance._expect import expect, expect_equal
from fabula.testing.conformance._settle_async import settle

__all__ = [
    "check_list_streams_by_prefix",
    "check_list_streams_order_and_literal_prefix",
    "check_stream_version_and_head",
]


async def check_stream_version_and_head(store: AsyncEventStore) -> None:
    """``stream_version`` is 0 for a new stream, then its last; ``head`` the last position."""
    stream, other = unique_stream(), unique_stream()
    expect_equal(await store.stream_version(stream), 0, "stream_version of an unknown stream")
    head = await store.head()
    expect(head >= 0, f"head() is negative: {head}")
    first = await settle(store, await store.append(stream, new_events(2)))
    expect_equal(await store.stream_version(stream), 2, "stream_version after 2 events")
    expect_equal(await store.head(), first.position, "head() after the first append")
    second = await settle(store, await store.append(other, new_events(3)))
    expect_equal(await store.stream_version(other), 3, "stream_version of the other stream")
    expect_equal(await store.stream_version(stream), 2, "stream_version of the first stream")
    expect_equal(await store.head(), second.position, "head() after the second append")


async def check_list_streams_by_prefix(store: AsyncEventStore) -> None:
    """``list_streams`` lists streams by prefix, ordered by id, with versions, paged by ``after``.

    ``limit`` caps a page; ``count_streams`` counts by the same prefix.
    """
    cat = unique_category()
    ids = [f"{cat}-a", f"{cat}-b", f"{cat}-b2", f"{cat}-c", f"{cat}x-1"]
    for count, stream in enumerate(ids, start=1):
        await store.append(stream, new_events(count))
    await store.append(f"{cat}-empty", [])
    every = [StreamInfo(stream, count) for count, stream in enumerate(ids, start=1)]
    expect_equal(await store.list_streams(cat), every, f"list_streams({cat!r})")
    expect_equal(await store.count_streams(cat), 5, f"count_streams({cat!r})")
    dashed = f"{cat}-"
    expect_equal(await store.list_streams(dashed), every[:4], f"list_streams({dashed!r})")
    expect_equal(await store.count_streams(dashed), 4, f"count_streams({dashed!r})")
    expect_equal(await store.list_streams(f"{cat}-b"), every[1:3], "prefix that is an id")
    expect_equal(await store.count_streams(f"{cat}-b"), 2, "count with a prefix that is an id")
    expect_equal(await store.list_streams(cat, limit=2), every[:2], "limit=2")
    expect_equal(await store.list_streams(cat, after=ids[1]), every[2:], "after the 2nd id")
    expect_equal(
        await store.list_streams(cat, after=ids[1], limit=2), every[2:4], "after and limit"
    )
    expect_equal(await store.list_streams(cat, after=f"{cat}-b1"), every[2:], "after a non-id")
    expect_equal(await store.list_streams(cat, after=ids[-1]), [], "after the last id")
    paged: list[StreamInfo] = []
    after: str | None = None
    while page := await store.list_streams(cat, after=after, limit=2):
        paged.extend(page)
        after = page[-1].stream_id
    expect_equal(paged, every, "streams listed in pages of 2")
    expect_equal(await store.list_streams(f"{cat}-z"), [], "a prefix that matches nothing")
    expect_equal(await store.count_streams(f"{cat}-z"), 0, "count of a prefix matching nothing")
    everything = await store.list_streams()
    expect(set(every) <= set(everything), "list_streams() without a prefix misses streams")
    expect(await store.count_streams() >= 5, "count_streams() without a prefix is too small")


async def check_list_streams_order_and_literal_prefix(store: AsyncEventStore) -> None:
    r"""Ids sort by code point (``"B" < "_" < "a"``); ``%``, ``_``, ``\`` in a prefix are plain."""
    cat = unique_category()
    suffixes = ["a_b", "axb", "a%c", "abc", "B", "a", "_", "Ab", "0", "x\\y", "xy", "é"]
    for suffix in suffixes:
        await store.append(f"{cat}{suffix}", new_events(1))
    listed = [info.stream_id for info in await store.list_streams(cat)]
    expect_equal(listed, sorted(f"{cat}{s}" for s in suffixes), "order of listed stream ids")
    for prefix, want in (("a_", ["a_b"]), ("a%", ["a%c"]), ("x\\", ["x\\y"]), ("_", ["_"])):
        found = await store.list_streams(f"{cat}{prefix}")
        expect_equal(
            [info.stream_id for info in found],
            [f"{cat}{s}" for s in want],
            f"list_streams with the prefix {cat}{prefix!r}",
        )
        expect_equal(
            await store.count_streams(f"{cat}{prefix}"),
            len(want),
            f"count_streams with the prefix {cat}{prefix!r}",
        )
