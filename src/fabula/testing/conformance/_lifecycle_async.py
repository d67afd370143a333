"""Conformance: the stream lifecycle (archive, delete with a tombstone, truncate; ADR 0015).

The rules are numbered in ``fabula.store._lifecycle``; each check names the ones it proves.
"""

from __future__ import annotations

from fabula._errors import (
    ConcurrencyError,
    InvalidArgument,
    StreamArchived,
    StreamDeleted,
    StreamNotFound,
    StreamTruncated,
)
from fabula.store import (
    TOMBSTONE_TYPE,
    AsyncEventStore,
    ExpectedVersion,
    NewEvent,
    SnapshotRecord,
    StreamAppend,
    StreamInfo,
    StreamState,
)
from fabula.testing.conformance._events import event_ids, new_events, unique_category, versions
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle_async import (
    expect_nothing_appended,
    settle,
    settled_head,
)

__all__ = [
    "check_archive_hides_and_unarchive_restores",
    "check_delete_ends_a_stream_with_a_tombstone",
    "check_lifecycle_comes_before_preconditions",
    "check_lifecycle_mistakes_are_refused",
    "check_truncate_hides_old_versions_keeps_newest_snapshot",
]


async def check_archive_hides_and_unarchive_restores(store: AsyncEventStore) -> None:
    """Rule 1: an archived stream refuses reads and appends, leaves listings, stays in the log."""
    cat = unique_category()
    stream, other = f"{cat}-archived", f"{cat}-live"
    head = await settled_head(store)
    written = new_events(2)
    await settle(store, await store.append(stream, written))
    await store.append(other, new_events(1))
    await store.archive_stream(stream)
    await store.archive_stream(stream)  # archiving twice changes nothing
    with raises(StreamArchived, "read_stream of an archived stream") as caught:
        await store.read_stream(stream)
    expect_equal(caught.error.stream_id, stream, "StreamArchived.stream_id")
    with raises(StreamArchived, "append to an archived stream"):
        await store.append(stream, new_events(1))
    with raises(StreamArchived, "empty append to an archived stream"):
        await store.append(stream, [])
    expect_equal(await store.list_streams(cat), [StreamInfo(other, 1)], "live streams listed")
    expect_equal(await store.count_streams(cat), 1, "live streams counted")
    archived = [StreamInfo(stream, 2)]
    expect_equal(await store.list_streams(cat, status="archived"), archived, "archived listed")
    expect_equal(await store.count_streams(cat, status="archived"), 1, "archived counted")
    expect_equal(
        await store.stream_state(stream), StreamState(stream, 2, "archived"), "stream_state"
    )
    logged = [e for e in await store.read_all(after=head) if e.stream_id == stream]
    expect_equal(event_ids(logged), event_ids(written), "an archived stream's events in read_all")
    await store.unarchive_stream(stream)
    await store.unarchive_stream(stream)  # unarchiving a live stream changes nothing
    expect_equal(versions(await store.read_stream(stream)), [1, 2], "read after unarchive")
    result = await store.append(stream, new_events(1))
    expect_equal(result.version, 3, "version of an append after unarchive")
    expect_equal(await store.count_streams(cat), 2, "streams counted after unarchive")
    expect_equal(await store.list_streams(cat, status="archived"), [], "archived after unarchive")


async def check_delete_ends_a_stream_with_a_tombstone(store: AsyncEventStore) -> None:
    """Rule 2: ``delete_stream`` appends a tombstone; every later use raises ``StreamDeleted``."""
    cat = unique_category()
    stream = f"{cat}-deleted"
    head = await settled_head(store)
    written = new_events(2)
    await store.append(stream, written)
    await store.archive_stream(stream)  # an archived stream can be deleted
    result = await settle(store, await store.delete_stream(stream))
    expect_equal(result.version, 3, "delete_stream's result: the tombstone's version")
    expect_equal(len(result.positions), 1, "delete_stream's result: one position")
    logged = [e for e in await store.read_all(after=head) if e.stream_id == stream]
    expect_equal(
        [(e.version, e.type) for e in logged],
        [(1, written[0].type), (2, written[1].type), (3, TOMBSTONE_TYPE)],
        "a deleted stream's events and tombstone in read_all",
    )
    expect_equal(logged[-1].position, result.position, "the tombstone's position")
    tombstones = await store.read_all(after=head, types=[TOMBSTONE_TYPE])
    expect_equal(event_ids(tombstones), [logged[-1].event_id], "read_all(types=[tombstone])")
    for what, attempt in (
        ("read_stream", lambda: store.read_stream(stream)),
        ("append", lambda: store.append(stream, new_events(1))),
        ("archive_stream", lambda: store.archive_stream(stream)),
        ("unarchive_stream", lambda: store.unarchive_stream(stream)),
        ("truncate_stream", lambda: store.truncate_stream(stream, before=2)),
        ("delete_stream", lambda: store.delete_stream(stream)),
    ):
        with raises(StreamDeleted, f"{what} of a deleted stream") as caught:
            await attempt()
        expect_equal(caught.error.stream_id, stream, f"StreamDeleted.stream_id ({what})")
    expect_equal(await store.list_streams(cat), [], "live streams after a delete")
    expect_equal(await store.count_streams(cat, status="archived"), 0, "archived after a delete")
    deleted = [StreamInfo(stream, 3)]
    expect_equal(await store.list_streams(cat, status="deleted"), deleted, "deleted listed")
    expect_equal(await store.count_streams(cat, status="deleted"), 1, "deleted counted")
    expect_equal((await store.stream_state(stream)).status, "deleted", "stream_state.status")


async def check_truncate_hides_old_versions_keeps_newest_snapshot(store: AsyncEventStore) -> None:
    """Rule 3: versions below ``before`` are unreadable; only the newest snapshot is kept."""
    cat = unique_category()
    stream = f"{cat}-truncated"
    head = await settled_head(store)
    await settle(store, await store.append(stream, new_events(5)))
    for version in (1, 2, 3):
        await store.save_snapshot(
            SnapshotRecord(stream_id=stream, version=version, type="State", data="{}")
        )
    await store.truncate_stream(stream, before=3)
    expect_equal(versions(await store.read_stream(stream)), [3, 4, 5], "read after truncate")
    backwards = await store.read_stream(stream, direction="backwards")
    expect_equal(versions(backwards), [5, 4, 3], "read backwards after truncate")
    expect_equal(versions(await store.read_stream(stream, from_version=4)), [4, 5], "read from 4")
    with raises(StreamTruncated, "read_stream(from_version=1) after truncate(before=3)") as c:
        await store.read_stream(stream, from_version=1)
    expect_equal(
        (c.error.stream_id, c.error.version, c.error.truncated_before),
        (stream, 1, 3),
        "StreamTruncated's stream_id, version, truncated_before",
    )
    newest = await store.load_snapshot(stream)
    expect_equal(newest and newest.version, 3, "the newest snapshot after truncate")
    expect_equal(await store.load_snapshot(stream, max_version=2), None, "an older snapshot")
    await store.truncate_stream(stream, before=2)  # never moves back
    state = await store.stream_state(stream)
    expect_equal(state, StreamState(stream, 5, "live", 3), "stream_state after truncate")
    logged = [e for e in await store.read_all(after=head) if e.stream_id == stream]
    expect_equal(versions(logged), [1, 2, 3, 4, 5], "a truncated stream's events in read_all")
    await store.truncate_stream(stream, before=6)  # every event: the snapshot remains
    expect_equal(await store.read_stream(stream), [], "read after truncating every event")
    expect_equal(await store.stream_version(stream), 5, "stream_version after truncating all")
    expect_equal((await store.append(stream, new_events(1))).version, 6, "append after truncate")


async def check_lifecycle_mistakes_are_refused(store: AsyncEventStore) -> None:
    """Rule 4: unknown streams, ``before`` out of range, bad status, a reserved type: refused."""
    cat = unique_category()
    stream, missing = f"{cat}-known", f"{cat}-missing"
    await store.append(stream, new_events(2))
    head = await settled_head(store)
    for what, attempt in (
        ("archive_stream", lambda: store.archive_stream(missing)),
        ("unarchive_stream", lambda: store.unarchive_stream(missing)),
        ("delete_stream", lambda: store.delete_stream(missing)),
        ("truncate_stream", lambda: store.truncate_stream(missing, before=1)),
    ):
        with raises(StreamNotFound, f"{what} of a stream without events") as caught:
            await attempt()
        expect_equal(caught.error.stream_id, missing, f"StreamNotFound.stream_id ({what})")
    for before in (0, 4):
        with raises(InvalidArgument, f"truncate_stream(before={before}) of a 2-event stream"):
            await store.truncate_stream(stream, before=before)
    with raises(InvalidArgument, "list_streams(status='gone')"):
        await store.list_streams(cat, status="gone")  # type: ignore[arg-type]
    with raises(InvalidArgument, "count_streams(status=None)"):
        await store.count_streams(cat, status=None)  # type: ignore[arg-type]
    reserved = NewEvent(event_id=new_events(1)[0].event_id, type=TOMBSTONE_TYPE, data="{}")
    with raises(InvalidArgument, "an append of the reserved tombstone type"):
        await store.append(stream, [reserved])
    await expect_nothing_appended(store, head, "refused lifecycle calls")
    expect_equal(await store.stream_state(stream), StreamState(stream, 2), "state after them")
    expect_equal(await store.stream_state(missing), StreamState(missing, 0), "unknown stream")


async def check_lifecycle_comes_before_preconditions(store: AsyncEventStore) -> None:
    """Rule 5: a hidden stream refuses before its precondition; a stored retry still dedupes."""
    cat = unique_category()
    stream = f"{cat}-retried"
    written = new_events(2)
    first = await store.append(stream, written)
    await store.archive_stream(stream)
    retried = await store.append(stream, written)
    expect(retried.deduplicated, "a retry of a stored append to an archived stream dedupes")
    expect_equal(retried.positions, first.positions, "the retry's positions")
    with raises(StreamArchived, "an append with a stale precondition to an archived stream"):
        await store.append(stream, new_events(1), precondition=ExpectedVersion(1))
    batch = [
        StreamAppend(f"{cat}-other", new_events(1), ExpectedVersion(5)),
        StreamAppend(stream, new_events(1), ExpectedVersion(1)),
    ]
    with raises(StreamArchived, "append_many with stale preconditions, one stream archived"):
        await store.append_many(batch)
    with raises(StreamArchived, "append_many with an empty append to an archived stream"):
        await store.append_many([StreamAppend(stream, [])])
    await store.delete_stream(stream)
    with raises(StreamDeleted, "an append with a stale precondition to a deleted stream"):
        await store.append(stream, new_events(1), precondition=ExpectedVersion(1))
    with raises(ConcurrencyError, "a stale precondition to a live stream"):
        await store.append(f"{cat}-live", new_events(1), precondition=ExpectedVersion(1))
