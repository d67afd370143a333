"""Conformance: snapshots are saved, replaced, and loaded newest first or as of a version."""

from __future__ import annotations

from fabula.store import AsyncEventStore, SnapshotRecord
from fabula.testing.conformance._events import new_events, unique_stream
from fabula.testing.conformance._expect import expect_equal
from fabula.testing.conformance._snapshots_base import _snapshot

__all__ = ["check_snapshot_replaced_at_same_version", "check_snapshots_newest_and_time_travel"]


async def check_snapshots_newest_and_time_travel(store: AsyncEventStore) -> None:
    """``load_snapshot`` returns the newest snapshot, or the newest at or below ``max_version``."""
    stream, other = unique_stream(), unique_stream()
    await store.append(stream, new_events(6))
    await store.append(other, new_events(1))
    expect_equal(await store.load_snapshot(stream), None, "load_snapshot before any was saved")
    at3, at5 = _snapshot(stream, 3, '{"n": 3}'), _snapshot(stream, 5, '{"n": 5}')
    await store.save_snapshot(at5)
    await store.save_snapshot(at3)
    expect_equal(await store.load_snapshot(stream), at5, "the newest snapshot")
    cases = [(6, at5), (5, at5), (4, at3), (3, at3), (2, None), (0, None)]
    for max_version, want in cases:
        expect_equal(
            await store.load_snapshot(stream, max_version=max_version),
            want,
            f"load_snapshot(max_version={max_version})",
        )
    expect_equal(await store.load_snapshot(other), None, "another stream's snapshot")
    expect_equal(await store.load_snapshot(unique_stream()), None, "an unknown stream")


async def check_snapshot_replaced_at_same_version(store: AsyncEventStore) -> None:
    """Saving a snapshot at a version that has one replaces it."""
    stream = unique_stream()
    await store.append(stream, new_events(4))
    await store.save_snapshot(_snapshot(stream, 2, '{"n": "old 2"}'))
    await store.save_snapshot(_snapshot(stream, 4, '{"n": "old"}'))
    newer = SnapshotRecord(
        stream_id=stream, version=4, type="CounterV2", data='{"n": "new"}', schema_version=3
    )
    await store.save_snapshot(newer)
    expect_equal(await store.load_snapshot(stream), newer, "the replaced snapshot")
    expect_equal(
        await store.load_snapshot(stream, max_version=4), newer, "the replaced snapshot at 4"
    )
    expect_equal(
        await store.load_snapshot(stream, max_version=3),
        _snapshot(stream, 2, '{"n": "old 2"}'),
        "the snapshot below the replaced one",
    )
