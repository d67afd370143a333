"""A store opened read-only refuses writes with ``ReadOnlyError`` on SQLite and PostgreSQL.

Same rule on both SQL backends, sync and asyncio: reads work, an append or a snapshot
raises ``ReadOnlyError`` and nothing is written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fabula import ReadOnlyError
from fabula.store import SnapshotRecord, StreamState, open_async_store, open_store
from fabula.testing.conformance._events import new_events


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ro.db'}"
    schema_url: str = request.getfixturevalue("postgres_schema_url")
    return schema_url


def test_a_read_only_store_refuses_writes(url: str) -> None:
    with open_store(url) as writer:
        writer.append("s-1", new_events(2))
    with open_store(url, read_only=True) as store:
        assert [e.version for e in store.read_stream("s-1")] == [1, 2]
        with pytest.raises(ReadOnlyError):
            store.append("s-1", new_events(1))
        with pytest.raises(ReadOnlyError):
            store.save_snapshot(SnapshotRecord(stream_id="s-1", version=2, type="S", data="{}"))
        for change in (
            lambda: store.archive_stream("s-1"),
            lambda: store.delete_stream("s-1"),
            lambda: store.truncate_stream("s-1", before=2),
        ):
            with pytest.raises(ReadOnlyError):
                change()
    with open_store(url) as writer:
        assert writer.stream_state("s-1") == StreamState("s-1", 2)
        assert writer.stream_version("s-1") == 2
        assert writer.load_snapshot("s-1") is None


def test_a_read_only_async_store_refuses_writes(url: str) -> None:
    async def run() -> None:
        async with open_async_store(url) as writer:
            await writer.append("s-1", new_events(2))
        async with open_async_store(url, read_only=True) as store:
            assert [e.version for e in await store.read_stream("s-1")] == [1, 2]
            with pytest.raises(ReadOnlyError):
                await store.append("s-1", new_events(1))
            with pytest.raises(ReadOnlyError):
                await store.save_snapshot(
                    SnapshotRecord(stream_id="s-1", version=2, type="S", data="{}")
                )
        async with open_async_store(url) as writer:
            assert await writer.stream_version("s-1") == 2
            assert await writer.load_snapshot("s-1") is None

    asyncio.run(run())
