"""fabula (sync) through its public API: ``Flow`` + class-style ``Item`` on a store from a URL.

Writes go through ``flow.dispatch`` (load, decide, append with ``ExpectedVersion``, the
default middleware); snapshots through ``SnapshotEvery(100)``; W3 through
``store.subscribe`` + the repository's decoder (``decode_recorded``: typed events in their
envelopes). Setups use ``repository.append`` with a whole history per call.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

import fabula
from benchmarks.checks import ContendedOutcome, TailingReader, check_contended, check_log
from benchmarks.fabula_domain import Create, Created, Item, Mark, Update, Updated, stream_of
from benchmarks.harness import Ctx, Runner
from benchmarks.threads import run_threads
from benchmarks.workloads import Backend
from fabula.app import NEVER, Middleware
from fabula.app._envelopes import decode_recorded
from fabula.codec import EventRegistry, encode_json
from fabula.store import SnapshotRecord

__all__ = ["RUNNERS_BY_BACKEND", "read_model_sql"]

WARMUP = 50
STALL = 120.0
"""Seconds without a new event before a catch-up gives up (a stuck log, not a slow one)."""
STALLED = f"no new event for {STALL:.0f} s"


def _dense(ctx: Ctx) -> bool:
    """fabula's PostgreSQL positions are sparse by design (derived from transaction ids)."""
    return ctx.backend != "postgres"


@contextmanager
def _opened(ctx: Ctx) -> Iterator[fabula.EventStore]:
    store = fabula.open_store(ctx.storage.url)
    try:
        yield store
    finally:
        store.close()


def _flow(
    store: fabula.EventStore,
    *,
    snapshots: bool = False,
    middleware: Sequence[Middleware] | None = None,
) -> fabula.Flow:
    flow = fabula.Flow(store, middleware=middleware)
    flow.register(
        Item, stream_id=stream_of, snapshots=fabula.SnapshotEvery(100) if snapshots else NEVER
    )
    return flow


def _positions(store: fabula.EventStore) -> list[int]:
    positions: list[int] = []
    while page := store.read_all(after=positions[-1] if positions else 0, limit=5000):
        positions.extend(record.position for record in page)
    return positions


def _histories(flow: fabula.Flow, count: int, history: int) -> list[str]:
    """Write ``count`` streams of ``history`` events, one append each; return their ids."""
    repository = flow.repository(Item)
    updates = [Updated(amount=1)] * (history - 1)
    ids = []
    for index in range(count):
        stream_id = str(uuid.uuid4())
        repository.append(
            stream_id, [Created(name=f"item-{index}"), *updates], precondition=fabula.NO_STREAM
        )
        ids.append(stream_id)
    return ids


def w1_create(ctx: Ctx) -> None:
    with _opened(ctx) as store:
        dispatch = _flow(store).dispatch
        for index in range(WARMUP):
            dispatch(Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0)
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                dispatch(
                    Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0
                )
        check_log(ctx, _positions(store), rows=ctx.sizes["n"] + WARMUP, dense=_dense(ctx))


def w1_create_batched(ctx: Ctx) -> None:
    ctx.info["txn"] = "1 stream (fabula has no multi-stream append)"
    with _opened(ctx) as store:
        dispatch = _flow(store).dispatch
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                dispatch(
                    Create(item_id=str(uuid.uuid4()), name=f"item-{index}"), expected_version=0
                )
        check_log(ctx, _positions(store), rows=ctx.sizes["n"], dense=_dense(ctx))


def w2_update(ctx: Ctx) -> None:
    history, k = ctx.sizes["history"], ctx.sizes["k"]
    snapshots, interval = bool(ctx.sizes["snapshots"]), ctx.sizes["interval"]
    with _opened(ctx) as store:
        flow = _flow(store, snapshots=snapshots)
        ids = _histories(flow, WARMUP + k, history)
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


def _registry() -> EventRegistry:
    return EventRegistry(Item.decider.events)


def w3_catchup(ctx: Ctx) -> None:
    total = ctx.sizes["streams"] * ctx.sizes["events_per_stream"]
    with _opened(ctx) as store:
        _histories(_flow(store), ctx.sizes["streams"], ctx.sizes["events_per_stream"])
        registry = _registry()
        handle = _noop
        count = 0
        with ctx.timer():
            subscription = store.subscribe(batch_size=ctx.sizes["page"])
            while count < total:
                batch = subscription.next_batch(timeout=STALL)
                if not batch:
                    raise TimeoutError(STALLED)
                for record in batch:
                    handle(decode_recorded(registry, record))
                count += len(batch)
            subscription.close()
        ctx.check("events_read", count, total)


def read_model_sql(backend: Backend) -> dict[str, str]:
    """The W4 read model's statements for a backend (tables, upserts, checkpoint)."""
    mark = "%s" if backend == "postgres" else "?"
    kind = "uuid" if backend == "postgres" else "TEXT"
    return {
        "create_counters": (
            f"CREATE TABLE IF NOT EXISTS bench_counters (stream_id {kind} PRIMARY KEY,"
            " n bigint NOT NULL)"
        ),
        "create_checkpoints": (
            "CREATE TABLE bench_checkpoints (name text PRIMARY KEY, position bigint NOT NULL)"
        ),
        "checkpoint": "SELECT position FROM bench_checkpoints WHERE name = 'counters'",
        "upsert": (
            f"INSERT INTO bench_counters (stream_id, n) VALUES ({mark}, 1) "
            "ON CONFLICT (stream_id) DO UPDATE SET n = bench_counters.n + 1"
        ),
        "save_checkpoint": (
            f"INSERT INTO bench_checkpoints (name, position) VALUES ('counters', {mark}) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
        ),
        "verify": "SELECT count(*), sum(n) FROM bench_counters",
        "find": "SELECT table_schema FROM information_schema.tables"
        " WHERE table_name = 'bench_counters'",
    }


class _ReadModel:
    """The W4 read model: a plain driver connection beside the store (same database)."""

    def __init__(self, ctx: Ctx) -> None:
        self.sql = read_model_sql(ctx.backend)
        self._sqlite: sqlite3.Connection | None = None
        self._pg: psycopg.Connection[Any] | None = None
        if ctx.backend == "sqlite":
            self._sqlite = sqlite3.connect(ctx.storage.path, isolation_level=None, timeout=30)
            self._sqlite.execute("PRAGMA synchronous = FULL")
        else:
            self._pg = psycopg.connect(ctx.storage.url, autocommit=True)

    def create_tables(self) -> None:
        for name in ("create_counters", "create_checkpoints"):
            if self._sqlite is not None:
                self._sqlite.execute(self.sql[name])
            elif self._pg is not None:
                self._pg.execute(self.sql[name])

    def checkpoint(self) -> int:
        row = self._query(self.sql["checkpoint"])
        return int(row[0]) if row else 0

    def commit(self, stream_ids: list[str], position: int) -> None:
        """Count the events of one page and store the checkpoint, in one transaction."""
        if self._sqlite is not None:
            conn = self._sqlite
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(self.sql["upsert"], [(s,) for s in stream_ids])
                conn.execute(self.sql["save_checkpoint"], (position,))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return
        assert self._pg is not None
        with self._pg.transaction(), self._pg.cursor() as cur:
            cur.executemany(self.sql["upsert"], [(s,) for s in stream_ids])
            cur.execute(self.sql["save_checkpoint"], (position,))

    def totals(self) -> tuple[int, int]:
        query = self.sql["verify"]
        if self._pg is not None:  # the read side may keep its tables in a schema of its own
            found = self._query(self.sql["find"])
            if found is not None:
                query = query.replace("bench_counters", f'"{found[0]}".bench_counters')
        row = self._query(query)
        assert row is not None
        return int(row[0]), int(row[1] or 0)

    def _query(self, query: str) -> Sequence[Any] | None:
        if self._sqlite is not None:
            found: Sequence[Any] | None = self._sqlite.execute(query).fetchone()
            return found
        assert self._pg is not None
        return self._pg.execute(query).fetchone()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            self._pg.close()


def _open_target(ctx: Ctx) -> Any:
    """The read side's target for the backend, or ``None`` while fabula.read has none."""
    try:
        from fabula.read import open_target

        return open_target(ctx.storage.url)
    except (ImportError, AttributeError, fabula.ConfigurationError):
        return None


def _project_with_read_side(
    ctx: Ctx, store: fabula.EventStore, target: Any, *, per_event: bool
) -> None:
    """W4 through ``fabula.read``: a ``Projection`` kept by a ``ProjectionRunner``."""
    from fabula.read import Projection, ProjectionRunner

    sql = read_model_sql(ctx.backend)
    page = ctx.sizes["page"]
    projection = Projection("counters", tables=["bench_counters"], batch_size=page)

    @projection.setup
    def create(tx: Any) -> None:
        tx.execute(sql["create_counters"])

    @projection.on(Created, Updated, batch=not per_event)
    def count(tx: Any, recorded: fabula.Recorded[Any]) -> None:
        tx.execute(sql["upsert"], (recorded.stream_id,))

    ctx.info["mechanism"] = f"fabula.read ProjectionRunner + {type(target).__name__}"
    with ctx.timer():
        runner = ProjectionRunner(store, projection, target=target, registry=_registry())
        status = runner.run_until_caught_up()
    ctx.check("checkpoint_lag", store.head() - status.position, 0)


def _project_by_hand(
    ctx: Ctx, store: fabula.EventStore, model: _ReadModel, *, per_event: bool
) -> None:
    """W4 without a read side: the subscription, the decoder, one SQL transaction per page."""
    ctx.info["mechanism"] = (
        "store.subscribe + decode + hand-written SQL txn (no fabula.read target)"
    )
    head = store.head()
    registry = _registry()
    with ctx.timer():
        last = model.checkpoint()
        subscription = store.subscribe(after=last, batch_size=ctx.sizes["page"])
        while last < head:
            batch = subscription.next_batch(timeout=STALL)
            if not batch:
                raise TimeoutError(STALLED)
            events = [decode_recorded(registry, record) for record in batch]
            if per_event:
                for recorded in events:
                    model.commit([recorded.stream_id], recorded.position)
            else:
                model.commit([e.stream_id for e in events], events[-1].position)
            last = events[-1].position
        subscription.close()


def _project(ctx: Ctx, *, per_event: bool) -> None:
    streams, per_stream = ctx.sizes["streams"], ctx.sizes["events_per_stream"]
    ctx.info["txn"] = "event" if per_event else "page"
    with _opened(ctx) as store, contextlib.closing(_ReadModel(ctx)) as model:
        _histories(_flow(store), streams, per_stream)
        target = _open_target(ctx)
        if target is None:
            model.create_tables()
            _project_by_hand(ctx, store, model, per_event=per_event)
        else:
            try:
                _project_with_read_side(ctx, store, target, per_event=per_event)
            finally:
                target.close()
        rows, total = model.totals()
        ctx.check("read_model_rows", rows, streams)
        ctx.check("read_model_sum", total, streams * per_stream)


def w4_projection(ctx: Ctx) -> None:
    _project(ctx, per_event=False)


def w4_projection_per_event(ctx: Ctx) -> None:
    _project(ctx, per_event=True)


def w5_concurrent_create(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    with _opened(ctx) as store:
        flow = _flow(store)
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
        positions = _positions(store)
        check_log(ctx, positions, rows=threads * per_thread + 1, dense=_dense(ctx))
        reader.report(ctx, positions)


def w5_contended_update(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    outcome = ContendedOutcome()
    stream_id = str(uuid.uuid4())
    with _opened(ctx) as store:
        # No middleware: a conflict comes back to the thread, which retries on fresh state.
        flow = _flow(store, middleware=[])
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
            positions=_positions(store),
            dense=_dense(ctx),
        )


_RUNNERS: dict[str, Runner] = {
    "w1_create": w1_create,
    "w1_create_batched": w1_create_batched,
    "w2_update": w2_update,
    "w3_catchup": w3_catchup,
    "w4_projection": w4_projection,
    "w4_projection_per_event": w4_projection_per_event,
    "w5_concurrent_create": w5_concurrent_create,
    "w5_contended_update": w5_contended_update,
}
RUNNERS_BY_BACKEND: dict[Backend, dict[str, Runner]] = {
    "postgres": _RUNNERS,
    "sqlite": _RUNNERS,
}
