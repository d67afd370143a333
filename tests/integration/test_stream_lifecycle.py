"""The stream lifecycle seen from the app layer, on every backend, sync and asyncio.

A repository (and so a flow) loads a truncated stream from its newest snapshot, refuses one
without a covering snapshot with ``StreamTruncated``, and refuses archived and deleted
streams with ``StreamArchived`` and ``StreamDeleted`` (ADR 0015).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fabula import (
    AsyncRepository,
    Flow,
    Repository,
    StreamArchived,
    StreamDeleted,
    StreamTruncated,
)
from fabula.app import SnapshotEvery
from fabula.store import open_async_store, open_store
from tests.unit.app.domain import Add, Added, Counter, Open, Opened


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lifecycle.db'}"
    schema_url: str = request.getfixturevalue("postgres_schema_url")
    return schema_url


def test_a_truncated_stream_loads_from_its_snapshot(url: str) -> None:
    with open_store(url) as store:
        repo = Repository(store, Counter, snapshots=SnapshotEvery(3))
        loaded = repo.load("counter-1")
        for events in ([Opened("c")], [Added(1)], [Added(2)], [Added(4)]):
            repo.append("counter-1", events, loaded=loaded)
            loaded = repo.load("counter-1")
        assert store.load_snapshot("counter-1") is not None
        store.truncate_stream("counter-1", before=4)
        again = repo.load("counter-1")
        assert (again.state.total, again.version, again.snapshot_version) == (7, 4, 3)
        plain = Repository(store, Counter)  # reads no snapshots: the history is gone
        with pytest.raises(StreamTruncated) as caught:
            plain.load("counter-1")
        assert (caught.value.stream_id, caught.value.truncated_before) == ("counter-1", 4)
        with pytest.raises(StreamTruncated):
            repo.load("counter-1", as_of_version=2)


def test_archived_and_deleted_streams_are_refused_by_a_flow(url: str) -> None:
    with open_store(url) as store:
        flow = Flow(store)
        flow.register(Counter, key=lambda command: command.counter_id)
        flow.dispatch(Open("a", "first"))
        flow.dispatch(Add("a", 2))
        store.archive_stream("counter-a")
        with pytest.raises(StreamArchived, match="counter-a"):
            flow.dispatch(Add("a", 1))
        store.unarchive_stream("counter-a")
        flow.dispatch(Add("a", 1))
        assert flow.load(Counter, "a").state.total == 3
        store.delete_stream("counter-a")
        with pytest.raises(StreamDeleted, match="counter-a"):
            flow.dispatch(Add("a", 1))
        with pytest.raises(StreamDeleted):
            flow.load(Counter, "a")


def test_the_async_repository_follows_the_same_rules(url: str) -> None:
    async def run() -> None:
        async with open_async_store(url) as store:
            repo = AsyncRepository(store, Counter, snapshots=SnapshotEvery(2))
            loaded = await repo.load("counter-2")
            await repo.append("counter-2", [Opened("c"), Added(5)], loaded=loaded)
            await repo.append("counter-2", [Added(1)])
            await store.truncate_stream("counter-2", before=3)
            assert (await repo.load("counter-2")).state.total == 6
            with pytest.raises(StreamTruncated):
                await AsyncRepository(store, Counter).load("counter-2")
            await store.archive_stream("counter-2")
            with pytest.raises(StreamArchived):
                await repo.load("counter-2")
            await store.delete_stream("counter-2")
            with pytest.raises(StreamDeleted):
                await repo.load("counter-2")

    asyncio.run(run())
