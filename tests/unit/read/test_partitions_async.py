"""``AsyncPartitionedWorker`` (SQLite): two workers share the partitions, each event once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from fabula import uuid7
from fabula.read import AsyncProjectionRunner, ErrorPolicy, LeaseSettings, PartitionOf
from fabula.read.running._partitioned_async import (
    AsyncPartitionedWorker,
    read_partition_status,
)
from fabula.read.running._partitions import partition_name
from fabula.read.sqlite import AsyncSqliteTarget
from fabula.store import NewEvent
from fabula.store.sqlite import AsyncSqliteStore

from . import domain
from .domain import Create, Rename
from .partition_checks import todos_of
from .test_runner_async import _flow, aio

N = 4


@aio
async def test_two_async_workers_share_and_catch_up(tmp_path: Path) -> None:
    store = AsyncSqliteStore(str(tmp_path / "events.db"))
    target = AsyncSqliteTarget(f"sqlite:///{tmp_path / 'read.db'}")
    flow = _flow(store)
    for i in range(12):
        await flow.dispatch(Create(f"t{i}", f"title {i}"))
        await flow.dispatch(Rename(f"t{i}", f"renamed {i}"))
    head = await store.head()
    workers = [
        AsyncPartitionedWorker(
            store,
            domain.todo_sql(),
            target=target,
            partitions=N,
            registry=flow.registry,
            lease=LeaseSettings(ttl=0.6, acquire_interval=0.05, owner=owner),
            poll_interval=0.05,
        )
        for owner in ("one", "two")
    ]
    for worker in workers:
        await worker.start()
    deadline = time.monotonic() + 30
    while True:
        found = await read_partition_status(store, target, "todo_list", partitions=N)
        owners = sorted(s.owner or "" for s in found)
        if all(s.position >= head for s in found) and owners == ["one", "one", "two", "two"]:
            break
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.02)
    for worker in workers:
        await worker.stop()
    rows = await target.read(domain.sql_rows)
    assert sorted(r[1] for r in rows) == sorted(f"renamed {i}" for i in range(12))
    await target.close()
    await store.close()


@aio
async def test_an_async_partition_never_decodes_a_foreign_event(tmp_path: Path) -> None:
    store = AsyncSqliteStore(str(tmp_path / "events.db"))
    target = AsyncSqliteTarget(f"sqlite:///{tmp_path / 'read.db'}")
    flow = _flow(store)
    (mine,) = todos_of(0, 1)
    (foreign,) = todos_of(1, 1)
    await flow.dispatch(Create(mine, "mine"))
    broken = NewEvent(event_id=uuid7(), type="todo_created", data="{}")  # no title
    await store.append(f"todo-{foreign}", [broken])
    head = await store.head()
    policy = ErrorPolicy(retries=0, backoff=0.0, on_park="continue")
    for index in (0, 1):
        runner = AsyncProjectionRunner(
            store,
            PartitionOf(domain.todo_sql(), index, N),
            target=target,
            registry=flow.registry,
            policy=policy,
        )
        assert (await runner.run_until_caught_up()).position == head
    assert await target.dead_letters(partition_name("todo_list", 0)) == []
    parked = await target.dead_letters(partition_name("todo_list", 1))
    assert [letter.stream_id for letter in parked] == [f"todo-{foreign}"]
    await target.close()
    await store.close()
