"""fabula's W4: a projection through ``fabula.read``, or by hand where a backend has no target.

``fabula.read``: a ``Projection`` (``batch_size`` = the page) with one handler for both
event types, kept by a ``ProjectionRunner`` over the backend's target
(``open_target(url)``: the read model lives in the store's database). Without a target, the
store's subscription, the decoder and one hand-written SQL transaction per page.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg

import fabula
from benchmarks.fabula_domain import Created, Updated
from benchmarks.fabula_setup import STALL, STALLED, event_registry, histories, new_flow, opened
from benchmarks.harness import Ctx
from benchmarks.workloads import Backend
from fabula.app import decode_records

__all__ = [
    "read_model_sql",
    "w4_projection",
    "w4_projection_each_handler",
    "w4_projection_per_event",
]


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
    ctx: Ctx, store: fabula.EventStore, target: Any, *, per_event: bool, each: bool
) -> None:
    """W4 through ``fabula.read``: a ``Projection`` kept by a ``ProjectionRunner``."""
    from fabula.read import Projection, ProjectionRunner

    sql = read_model_sql(ctx.backend)
    page = ctx.sizes["page"]
    projection = Projection("counters", tables=["bench_counters"], batch_size=page)

    @projection.setup
    def create(tx: Any) -> None:
        tx.execute(sql["create_counters"])

    if per_event or each:

        @projection.on(Created, Updated, batch=not per_event)
        def count(tx: Any, recorded: fabula.Recorded[Any]) -> None:
            tx.execute(sql["upsert"], (recorded.stream_id,))

    else:

        @projection.on_batch(Created, Updated)
        def count_all(tx: Any, records: Sequence[fabula.Recorded[Any]]) -> None:
            rows = [(recorded.stream_id,) for recorded in records]
            if isinstance(tx, sqlite3.Connection):
                tx.executemany(sql["upsert"], rows)
            else:
                with tx.cursor() as cursor:
                    cursor.executemany(sql["upsert"], rows)

    handler = "on" if per_event or each else "on_batch + executemany"
    ctx.info["mechanism"] = f"fabula.read ProjectionRunner + {type(target).__name__}, {handler}"
    with ctx.timer():
        runner = ProjectionRunner(store, projection, target=target, registry=event_registry())
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
    registry = event_registry()
    with ctx.timer():
        last = model.checkpoint()
        subscription = store.subscribe(after=last, batch_size=ctx.sizes["page"])
        while last < head:
            batch = subscription.next_batch(timeout=STALL)
            if not batch:
                raise TimeoutError(STALLED)
            events = decode_records(registry, batch)
            if per_event:
                for recorded in events:
                    model.commit([recorded.stream_id], recorded.position)
            else:
                model.commit([e.stream_id for e in events], events[-1].position)
            last = events[-1].position
        subscription.close()


def _project(ctx: Ctx, *, per_event: bool, each: bool = False) -> None:
    streams, per_stream = ctx.sizes["streams"], ctx.sizes["events_per_stream"]
    ctx.info["txn"] = "event" if per_event else "page"
    with opened(ctx) as store, contextlib.closing(_ReadModel(ctx)) as model:
        histories(new_flow(store), streams, per_stream)
        target = _open_target(ctx)
        if target is None:
            model.create_tables()
            _project_by_hand(ctx, store, model, per_event=per_event)
        else:
            try:
                _project_with_read_side(ctx, store, target, per_event=per_event, each=each)
            finally:
                target.close()
        rows, total = model.totals()
        ctx.check("read_model_rows", rows, streams)
        ctx.check("read_model_sum", total, streams * per_stream)


def w4_projection(ctx: Ctx) -> None:
    """W4: one transaction per page."""
    _project(ctx, per_event=False)


def w4_projection_each_handler(ctx: Ctx) -> None:
    """W4 with a per-event handler (``on``): one transaction per page, one statement per event."""
    _project(ctx, per_event=False, each=True)


def w4_projection_per_event(ctx: Ctx) -> None:
    """W4 reference: one transaction per event."""
    _project(ctx, per_event=True)
