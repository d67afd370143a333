"""fabula (sync) through its public API: ``Flow`` + class-style ``Item`` on a store from a URL.

Writes go through ``flow.dispatch`` (load, decide, append with ``ExpectedVersion``, the
default middleware); snapshots through ``SnapshotEvery(100)``; W3 through
``store.subscribe`` + ``fabula.app.decode_records`` (a page of typed events in their
envelopes). Setups use ``repository.append`` with a whole history per call. W4 is in
``fabula_projection``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import fabula
from benchmarks.checks import ContendedOutcome, TailingReader, check_contended, check_log
from benchmarks.fabula_domain import Create, Item, Mark, Update
from benchmarks.fabula_projection import (
    w4_projection,
    w4_projection_each_handler,
    w4_projection_per_event,
)
from benchmarks.fabula_setup import (
    STALL,
    STALLED,
    WARMUP,
    created_streams,
    dense,
    event_registry,
    histories,
    log_positions,
    new_flow,
    opened,
)
from benchmarks.harness import Ctx, Runner
from benchmarks.threads import run_threads
from benchmarks.workloads import Backend
from fabula.app import decode_records
from fabula.codec import encode_json
from fabula.store import SnapshotRecord

__all__ = ["RUNNERS_BY_BACKEND"]


def w1_create(ctx: Ctx) -> None:
    with opened(ctx) as store:
        dispatch = new_flow(store).dispatch
        for index in range(WARMUP):
            dispatch(Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0)
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                dispatch(
                    Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0
                )
        check_log(ctx, log_positions(store), rows=ctx.sizes["n"] + WARMUP, dense=dense(ctx))


def w1_create_batched(ctx: Ctx) -> None:
    n, batch = ctx.sizes["n"], ctx.sizes["batch"]
    ctx.info["txn"] = f"{batch} streams (repository.append_many)"
    with opened(ctx) as store:
        repository = new_flow(store).repository(Item)
        with ctx.timer():
            for start in range(0, n, batch):
                appends = created_streams(start, min(n, start + batch))
                repository.append_many(
                    appends, preconditions=dict.fromkeys(appends, fabula.NO_STREAM)
                )
        check_log(ctx, log_positions(store), rows=n, dense=dense(ctx))


def w2_update(ctx: Ctx) -> None:
    history, k = ctx.sizes["history"], ctx.sizes["k"]
    snapshots, interval = bool(ctx.sizes["snapshots"]), ctx.sizes["interval"]
    with opened(ctx) as store:
        flow = new_flow(store, snapshots=snapshots)
        ids = histories(flow, WARMUP + k, history)
        if snapshots:
            decider = Item.decider
            for index, stream_id in enumerate(ids):
                for version in range(interval, history + 1, interval):
                    state = Item(name=f"item-{index}", value=version - 1)
                    store.save_snapshot(
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
            dispatch(Update(item_id=stream_id))
        with ctx.timer():
            for stream_id in ids[WARMUP:]:
                dispatch(Update(item_id=stream_id))
        loaded = flow.repository(Item).load(ids[-1])
        ctx.check("last_version", loaded.version, history + 1)
        if snapshots:
            ctx.info["snapshot_version"] = loaded.snapshot_version


def _noop(recorded: object) -> None:
    """The W3 handler: does nothing with the decoded event."""


def w3_catchup(ctx: Ctx) -> None:
    total = ctx.sizes["streams"] * ctx.sizes["events_per_stream"]
    with opened(ctx) as store:
        histories(new_flow(store), ctx.sizes["streams"], ctx.sizes["events_per_stream"])
        registry = event_registry()
        handle = _noop
        count = 0
        with ctx.timer():
            subscription = store.subscribe(batch_size=ctx.sizes["page"])
            while count < total:
                batch = subscription.next_batch(timeout=STALL)
                if not batch:
                    raise TimeoutError(STALLED)
                for recorded in decode_records(registry, batch):
                    handle(recorded)
                count += len(batch)
            subscription.close()
        ctx.check("events_read", count, total)


def w5_concurrent_create(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    with opened(ctx) as store:
        flow = new_flow(store)
        seed = (
            flow.dispatch(
                Create(item_id=str(uuid.uuid4()), name="item-0"), expected_version=0
            ).position
            or 0
        )

        def poll(after: int, limit: int) -> list[int]:
            return [record.position for record in store.read_all(after=after, limit=limit)]

        reader = TailingReader(poll, after=seed, page=ctx.sizes["page"])

        def prepare(index: int) -> Callable[[], None]:
            def work() -> None:
                for i in range(per_thread):
                    name = f"item-{index * per_thread + i}"
                    flow.dispatch(Create(item_id=str(uuid.uuid4()), name=name), expected_version=0)

            return work

        reader.start()
        try:
            run_threads(ctx, threads, prepare)
        finally:
            reader.finish()
        positions = log_positions(store)
        check_log(ctx, positions, rows=threads * per_thread + 1, dense=dense(ctx))
        reader.report(ctx, positions)


def w5_contended_update(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    outcome = ContendedOutcome()
    stream_id = str(uuid.uuid4())
    with opened(ctx) as store:
        # No middleware: a conflict comes back to the thread, which retries on fresh state.
        flow = new_flow(store, middleware=[])
        flow.dispatch(Create(item_id=stream_id, name="item-0"), expected_version=0)

        def prepare(index: int) -> Callable[[], None]:
            def work() -> None:
                done = attempt = 0
                while done < per_thread:
                    token = f"{index}-{attempt}"
                    attempt += 1
                    try:
                        flow.dispatch(Mark(item_id=stream_id, token=token))
                    except fabula.ConcurrencyError:
                        outcome.record(token, ok=False)
                        continue
                    outcome.record(token, ok=True)
                    done += 1

            return work

        run_threads(ctx, threads, prepare)
        stored = store.read_stream(stream_id)
        check_contended(
            ctx,
            outcome,
            versions=[record.version for record in stored],
            tokens=[json.loads(r.data)["token"] for r in stored if r.type == "Marked"],
            positions=log_positions(store),
            dense=dense(ctx),
        )


_RUNNERS: dict[str, Runner] = {
    "w1_create": w1_create,
    "w1_create_batched": w1_create_batched,
    "w2_update": w2_update,
    "w3_catchup": w3_catchup,
    "w4_projection": w4_projection,
    "w4_projection_per_event": w4_projection_per_event,
    "w4_projection_each_handler": w4_projection_each_handler,
    "w5_concurrent_create": w5_concurrent_create,
    "w5_contended_update": w5_contended_update,
}
RUNNERS_BY_BACKEND: dict[Backend, dict[str, Runner]] = {
    "postgres": _RUNNERS,
    "sqlite": _RUNNERS,
}
