"""The stream lifecycle API has real types, sync and asyncio (mypy and pyright check this).

At run time each block also runs, on an in-memory store.
"""

from __future__ import annotations

import asyncio
from typing import assert_type

import fabula
from fabula import StreamArchived, StreamDeleted, StreamTombstone, StreamTruncated
from fabula.store import AppendResult, NewEvent, StreamInfo, StreamState, StreamStatus


def _events(count: int) -> list[NewEvent]:
    return [NewEvent(event_id=fabula.uuid7(), type="t", data="{}") for _ in range(count)]


def test_sync_lifecycle_is_typed() -> None:
    with fabula.open_store("memory://") as store:
        store.append("s-1", _events(3))
        assert_type(store.archive_stream("s-1"), None)
        assert_type(store.list_streams(status="archived"), list[StreamInfo])
        assert_type(store.count_streams("s-", status="archived"), int)
        assert_type(store.unarchive_stream("s-1"), None)
        assert_type(store.truncate_stream("s-1", before=2), None)
        state = store.stream_state("s-1")
        assert_type(state, StreamState)
        assert_type(state.status, StreamStatus)
        assert_type(state.truncated_before, int)
        assert_type(store.delete_stream("s-1"), AppendResult)
        try:
            store.read_stream("s-1")
        except StreamDeleted as error:
            assert_type(error.stream_id, str)


def test_async_lifecycle_is_typed() -> None:
    async def run() -> None:
        async with fabula.open_async_store("memory://") as store:
            await store.append("s-1", _events(2))
            assert_type(await store.archive_stream("s-1"), None)
            try:
                await store.read_stream("s-1")
            except StreamArchived as error:
                assert_type(error.stream_id, str)
            await store.unarchive_stream("s-1")
            await store.truncate_stream("s-1", before=2)
            try:
                await store.read_stream("s-1", from_version=1)
            except StreamTruncated as error:
                assert_type(error.truncated_before, int)
            assert_type(await store.stream_state("s-1"), StreamState)
            assert_type(await store.delete_stream("s-1"), AppendResult)

    asyncio.run(run())


def test_the_tombstone_is_a_typed_event() -> None:
    assert_type(StreamTombstone(), StreamTombstone)
