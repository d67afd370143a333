# Generated from _lifecycle_async.py by tools/unasync.py: do not edit, edit the source.
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
    EventStore,
    ExpectedVersion,
    NewEvent,
    SnapshotRecord,
    StreamAppend,
    StreamInfo,
    StreamState,
)
from fabula.testing.conformance._events import event_ids, new_events, unique_category, versions
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle import (
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


def check_archive_hides_and_unarchive_restores(store: EventStore) -> None:
    """Rule 1: an archived stream refuses reads and appends, leaves listings, stays in the log."""
    cat = unique_category()
    stream, other = f"{cat}-archived", f"{cat}-live"
    head = settled_head(store)
    written = new_events(2)
    settle(store, store.append(stream, written))
    store.append(other, new_events(1))
    store.archive_stream(stream)
    store.archive_stream(stream)  # archiving twice changes nothing
    with raises(StreamArchived, "read_stream of an archived stream") as caught:
        store.read_stream(stream)
    expect_equal(caught.error.stream_id, stream, "StreamArchived.stream_id")
    with raises(StreamArchived, "append to an archived stream"):
        store.append(stream, new_events(1))
    with raises(StreamArchived, "empty append to an archived stream"):
        store.append(stream, [])
    expect_equal(store.list_streams(cat), [StreamInfo(other, 1)], "live streams listed")
    expect_equal(store.count_streams(cat), 1, "live streams counted")
    archived = [StreamInfo(stream, 2)]
    expect_equal(store.list_streams(cat, status="archived"), archived, "archived listed")
    expect_equal(store.count_streams(cat, status="archived"), 1, "archived counted")
    expect_equal(store.stream_state(stream), StreamState(stream, 2, "archived"), "stream_state")
    logged = [e for e in store.read_all(after=head) if e.stream_id == stream]
    expect_equal(event_ids(logged), event_ids(written), "an archived stream's events in read_all")
    store.unarchive_stream(stream)
    store.unarchive_stream(stream)  # unarchiving a live stream changes nothing
    expect_equal(versions(store.read_stream(stream)), [1, 2], "read after unarchive")
    result = store.append(stream, new_events(1))
    expect_equal(result.version, 3, "version of an append after unarchive")
    expect_equal(store.count_streams(cat), 2, "streams counted after unarchive")
    expect_equal(store.list_streams(cat, status="archived"), [], "archived after unarchive")


def check_delete_ends_a_stream_with_a_tombstone(store: EventStore) -> None:
    """Rule 2: ``delete_stream`` appends a tombstone; every later use raises ``StreamDeleted``."""
    cat = unique_category()
    stream = f"{cat}-deleted"
    head = settled_head(store)
    written = new_events(2)
    store.append(stream, written)
    store.archive_stream(stream)  # an archived stream can be deleted
    result = settle(store, store.delete_stream(stream))
    expect_equal(result.version, 3, "delete_stream's result: the tombstone's version")
    expect_equal(len(result.positions), 1, "delete_stream's result: one position")
    logged = [e for e in store.read_all(after=head) if e.stream_id == stream]
    expect_equal(
        [(e.version, e.type) for e in logged],
        [(1, written[0].type), (2, written[1].type), (3, TOMBSTONE_TYPE)],
        "a deleted stream's events and tombstone in read_all",
    )
    expect_equal(logged[-1].position, result.position, "the tombstone's position")
    tombstones = store.read_all(after=head, types=[TOMBSTONE_TYPE])
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
            attempt()
        expect_equal(caught.error.stream_id, stream, f"StreamDeleted.stream_id ({what})")
    expect_equal(store.list_streams(cat), [], "live streams after a delete")
    expect_equal(store.count_streams(cat, status="archived"), 0, "archived after a delete")
    deleted = [StreamInfo(stream, 3)]
    expect_equal(store.list_streams(cat, status="deleted"), deleted, "deleted listed")
    expect_equal(store.count_streams(cat, status="deleted"), 1, "deleted counted")
    expect_equal((store.stream_state(stream)).status, "deleted", "stream_state.status")


def check_truncate_hides_old_versions_keeps_newest_snapshot(store: EventStore) -> None:
    """Rule 3: versions below ``before`` are unreadable; only the newest snapshot is kept."""
    cat = unique_category()
    stream = f"{cat}-truncated"
    head = settled_head(store)
    settle(store, store.append(stream, new_events(5)))
    for version in (1, 2, 3):
        store.save_snapshot(
            SnapshotRecord(stream_id=stream, version=version, type="State", data="{}")
        )
    store.truncate_stream(stream, before=3)
    expect_equal(versions(store.read_stream(stream)), [3, 4, 5], "read after truncate")
    backwards = store.read_stream(stream, direction="backwards")
    expect_equal(versions(backwards), [5, 4, 3], "read backwards after truncate")
    expect_equal(versions(store.read_stream(stream, from_version=4)), [4, 5], "read from 4")
    with raises(StreamTruncated, "read_stream(from_version=1) after truncate(before=3)") as c:
        store.read_stream(stream, from_version=1)
    expect_equal(
        (c.error.stream_id, c.error.version, c.error.truncated_before),
        (stream, 1, 3),
        "StreamTruncated's stream_id, version, truncated_before",
    )
    newest = store.load_snapshot(stream)
    expect_equal(newest and newest.version, 3, "the newest snapshot after truncate")
    expect_equal(store.load_snapshot(stream, max_version=2), None, "an older snapshot")
    store.truncate_stream(stream, before=2)  # never moves back
    state = store.stream_state(stream)
    expect_equal(state, StreamState(stream, 5, "live", 3), "stream_state after truncate")
    logged = [e for e in store.read_all(after=head) if e.stream_id == stream]
    expect_equal(versions(logged), [1, 2, 3, 4, 5], "a truncated stream's events in read_all")
    store.truncate_stream(stream, before=6)  # every event: the snapshot remains
    expect_equal(store.read_stream(stream), [], "read after truncating every event")
    expect_equal(store.stream_version(stream), 5, "stream_version after truncating all")
    expect_equal((store.append(stream, new_events(1))).version, 6, "append after truncate")


def check_lifecycle_mistakes_are_refused(store: EventStore) -> None:
    """Rule 4: unknown streams, ``before`` out of range, bad status, a reserved type: refused."""
    cat = unique_category()
    stream, missing = f"{cat}-known", f"{cat}-missing"
    store.append(stream, new_events(2))
    head = settled_head(store)
    for what, attempt in (
        ("archive_stream", lambda: store.archive_stream(missing)),
        ("unarchive_stream", lambda: store.unarchive_stream(missing)),
        ("delete_stream", lambda: store.delete_stream(missing)),
        ("truncate_stream", lambda: store.truncate_stream(missing, before=1)),
    ):
        with raises(StreamNotFound, f"{what} of a stream without events") as caught:
            attempt()
        expect_equal(caught.error.stream_id, missing, f"StreamNotFound.stream_id ({what})")
    for before in (0, 4):
        with raises(InvalidArgument, f"truncate_stream(before={before}) of a 2-event stream"):
            store.truncate_stream(stream, before=before)
    with raises(InvalidArgument, "list_streams(status='gone')"):
        store.list_streams(cat, status="gone")  # type: ignore[arg-type]
    with raises(InvalidArgument, "count_streams(status=None)"):
        store.count_streams(cat, status=None)  # type: ignore[arg-type]
    reserved = NewEvent(event_id=new_events(1)[0].event_id, type=TOMBSTONE_TYPE, data="{}")
    with raises(InvalidArgument, "an append of the reserved tombstone type"):
        store.append(stream, [reserved])
    expect_nothing_appended(store, head, "refused lifecycle calls")
    expect_equal(store.stream_state(stream), StreamState(stream, 2), "state after them")
    expect_equal(store.stream_state(missing), StreamState(missing, 0), "unknown stream")


def check_lifecycle_comes_before_preconditions(store: EventStore) -> None:
    """Rule 5: a hidden stream refuses before its precondition; a stored retry still dedupes."""
    cat = unique_category()
    stream = f"{cat}-retried"
    written = new_events(2)
    first = store.append(stream, written)
    store.archive_stream(stream)
    retried = store.append(stream, written)
    expect(retried.deduplicated, "a retry of a stored append to an archived stream dedupes")
    expect_equal(retried.positions, first.positions, "the retry's positions")
    with raises(StreamArchived, "an append with a stale precondition to an archived stream"):
        store.append(stream, new_events(1), precondition=ExpectedVersion(1))
    batch = [
        StreamAppend(f"{cat}-other", new_events(1), ExpectedVersion(5)),
        StreamAppend(stream, new_events(1), ExpectedVersion(1)),
    ]
    with raises(StreamArchived, "append_many with stale preconditions, one stream archived"):
        store.append_many(batch)
    with raises(StreamArchived, "append_many with an empty append to an archived stream"):
        store.append_many([StreamAppend(stream, [])])
    store.delete_stream(stream)
    with raises(StreamDeleted, "an append with a stale precondition to a deleted stream"):
        store.append(stream, new_events(1), precondition=ExpectedVersion(1))
    with raises(ConcurrencyError, "a stale precondition to a live stream"):
        store.append(f"{cat}-live", new_events(1), precondition=ExpectedVersion(1))
