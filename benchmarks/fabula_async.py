"""fabula (asyncio) through its public API: the same work as ``fabula_sync``, awaited.

One event loop per run (``asyncio.run``); commands are awaited one after the other, as
one request handler would. W1 batched appends ``batch`` new streams per transaction with
``AsyncRepository.append_many``, as the sync variant does.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import fabula
from benchmarks.checks import check_log
from benchmarks.fabula_domain import Create, Created, Item, Update, Updated, stream_of
from benchmarks.fabula_setup import created_streams
from benchmarks.harness import Ctx, Runner
from benchmarks.workloads import Backend
from fabula.app import NEVER, decode_records
from fabula.codec import EventRegistry, encode_json
from fabula.store import SnapshotRecord

__all__ = ["RUNNERS_BY_BACKEND"]

WARMUP = 50
STALL = 120.0
"""Seconds without a new event before a catch-up gives up (a stuck log, not a slow one)."""
STALLED = f"no new event for {STALL:.0f} s"


def _dense(ctx: Ctx) -> bool:
    """fabula's PostgreSQL positions are sparse by design (derived from transaction ids)."""
    return ctx.backend != "postgres"


def _sync(run: Callable[[Ctx], Awaitable[None]]) -> Runner:
    def runner(ctx: Ctx) -> None:
        asyncio.run(run(ctx))  # type: ignore[arg-type]

    runner.__name__ = run.__name__
    return runner


@asynccontextmanager
async def _opened(ctx: Ctx) -> AsyncIterator[fabula.AsyncEventStore]:
    store = fabula.open_async_store(ctx.storage.url)
    try:
        yield store
    finally:
        await store.close()


def new_flow(store: fabula.AsyncEventStore, *, snapshots: bool = False) -> fabula.AsyncFlow:
    flow = fabula.AsyncFlow(store)
    flow.register(
        Item, stream_id=stream_of, snapshots=fabula.SnapshotEvery(100) if snapshots else NEVER
    )
    return flow


async def _positions(store: fabula.AsyncEventStore) -> list[int]:
    positions: list[int] = []
    while page := await store.read_all(after=positions[-1] if positions else 0, limit=5000):
        positions.extend(record.position for record in page)
    return positions


async def histories(flow: fabula.AsyncFlow, count: int, history: int) -> list[str]:
    repository = flow.repository(Item)
    updates = [Updated(amount=1)] * (history - 1)
    ids = []
    for index in range(count):
        stream_id = str(uuid.uuid4())
        await repository.append(
            stream_id, [Created(name=f"item-{index}"), *updates], precondition=fabula.NO_STREAM
        )
        ids.append(stream_id)
    return ids


async def w1_create(ctx: Ctx) -> None:
    async with _opened(ctx) as store:
        dispatch = new_flow(store).dispatch
        for index in range(WARMUP):
            await dispatch(
                Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0
            )
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                await dispatch(
                    Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0
                )
        check_log(ctx, await _positions(store), rows=ctx.sizes["n"] + WARMUP, dense=_dense(ctx))


async def w1_create_batched(ctx: Ctx) -> None:
    n, batch = ctx.sizes["n"], ctx.sizes["batch"]
    ctx.info["txn"] = f"{batch} streams (repository.append_many)"
    async with _opened(ctx) as store:
        repository = new_flow(store).repository(Item)
        with ctx.timer():
            for start in range(0, n, batch):
                appends = created_streams(start, min(n, start + batch))
                await repository.append_many(
                    appends, preconditions=dict.fromkeys(appends, fabula.NO_STREAM)
                )
        check_log(ctx, await _positions(store), rows=n, dense=_dense(ctx))


async def w2_update(ctx: Ctx) -> None:
    history, k = ctx.sizes["history"], ctx.sizes["k"]
    snapshots, interval = bool(ctx.sizes["snapshots"]), ctx.sizes["interval"]
    async with _opened(ctx) as store:
        flow = new_flow(store, snapshots=snapshots)
        ids = await histories(flow, WARMUP + k, history)
        if snapshots:
            decider = Item.decider
            for index, stream_id in enumerate(ids):
                for version in range(interval, history + 1, interval):
                    state = Item(name=f"item-{index}", value=version - 1)
                    await store.save_snapshot(
                        SnapshotRecord(
                            stream_id=stream_id,
                            version=version,
                            type=decider.name,
                            data=encode_json(state),
                            schema_version=decider.snapshot_version,
                        )
                    )
        dispatch = flow.dispatch
        for stream_id in ids[:WARMUP]:
            await dispatch(Update(item_id=stream_id))
        with ctx.timer():
            for stream_id in ids[WARMUP:]:
                await dispatch(Update(item_id=stream_id))
        loaded = await flow.repository(Item).load(ids[-1])
        ctx.check("last_version", loaded.version, history + 1)


def _noop(recorded: object) -> None:
    """The W3 handler: does nothing with the decoded event."""


async def w3_catchup(ctx: Ctx) -> None:
    total = ctx.sizes["streams"] * ctx.sizes["events_per_stream"]
    async with _opened(ctx) as store:
        await histories(new_flow(store), ctx.sizes["streams"], ctx.sizes["events_per_stream"])
        registry = EventRegistry(Item.decider.events)
        handle = _noop
        count = 0
        with ctx.timer():
            subscription = store.subscribe(batch_size=ctx.sizes["page"])
            while count < total:
                batch = await subscription.next_batch(timeout=STALL)
                if not batch:
                    raise TimeoutError(STALLED)
                for recorded in decode_records(registry, batch):
                    handle(recorded)
                count += len(batch)
            await subscription.close()
        ctx.check("events_read", count, total)


_RUNNERS: dict[str, Runner] = {
    "w1_create": _sync(w1_create),
    "w1_create_batched": _sync(w1_create_batched),
    "w2_update": _sync(w2_update),
    "w3_catchup": _sync(w3_catchup),
}
RUNNERS_BY_BACKEND: dict[Backend, dict[str, Runner]] = {
    "postgres": _RUNNERS,
    "sqlite": _RUNNERS,
}
