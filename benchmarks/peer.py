"""The peer: the ``eventsourcing`` library (9.5.x) through its public API, on both backends.

``Item(Aggregate)`` with ``@event`` methods; an ``Application`` configured from its
environment (``PERSISTENCE_MODULE`` + ``POSTGRES_*`` / ``SQLITE_DBNAME``); snapshots with
``snapshotting_intervals``; ``NotificationLogReader`` + ``app.mapper.to_domain_event`` for
W3; a ``Projection`` over a tracking recorder for W4 (``ProjectionRunner`` on PostgreSQL,
a pull loop as ``Follower.pull_and_process`` does on SQLite). Library defaults are kept.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.system import NotificationLogReader
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from benchmarks.checks import ContendedOutcome, TailingReader, check_contended, check_log
from benchmarks.harness import Ctx, Runner
from benchmarks.threads import run_threads
from benchmarks.workloads import Backend

__all__ = ["RUNNERS_BY_BACKEND"]

WARMUP = 50
STALL = 600.0
"""Seconds the W4 projection may take before the run is abandoned."""
SAVE_EVENTS = 5000
"""Setup saves this many events (of many aggregates) per ``save()`` call."""


class Item(Aggregate):
    """The benchmark aggregate, in the library's own style."""

    @event("Created")
    def __init__(self, name: str, value: int = 0) -> None:
        self.name = name
        self.value = value

    @event("Updated")
    def update(self, amount: int) -> None:
        self.value += amount

    @event("Marked")
    def mark(self, token: str) -> None:
        self.value += 1


class BenchApp(Application[UUID]):
    """Library defaults, except the notification log's section size (500, as the pages)."""

    log_section_size = 500


class SnapshottingApp(BenchApp):
    """Snapshots every 100 versions."""

    name = "BenchApp"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Item: 100}


def _env(ctx: Ctx) -> dict[str, str]:
    if ctx.backend == "sqlite":
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ctx.storage.path}
    params = ctx.storage.pg_params()
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": params["dbname"],
        "POSTGRES_HOST": params.get("host", "127.0.0.1"),
        "POSTGRES_PORT": params.get("port", "5432"),
        "POSTGRES_USER": params.get("user", "postgres"),
        "POSTGRES_PASSWORD": params.get("password", "unused-with-trust-auth"),
    }


@contextmanager
def _app(ctx: Ctx, cls: type[BenchApp] = BenchApp) -> Iterator[BenchApp]:
    app = cls(env=_env(ctx))
    try:
        yield app
    finally:
        app.close()


def _positions(app: BenchApp) -> list[int]:
    positions: list[int] = []
    reader = NotificationLogReader(app.notification_log, section_size=500)
    for notifications in reader.select(start=1):
        positions.extend(n.id for n in notifications)
    return positions


def _save_histories(app: BenchApp, count: int, history: int) -> list[UUID]:
    """Save ``count`` items of ``history`` events each, many per ``save()``; return their ids."""
    ids: list[UUID] = []
    pending: list[Item] = []
    events = 0
    for index in range(count):
        item = Item(name=f"item-{index}", value=0)
        for _ in range(history - 1):
            item.update(1)
        ids.append(item.id)
        pending.append(item)
        events += history
        if events >= SAVE_EVENTS:
            app.save(*pending)
            pending, events = [], 0
    if pending:
        app.save(*pending)
    return ids


def w1_create(ctx: Ctx) -> None:
    with _app(ctx) as app:
        for index in range(WARMUP):
            app.save(Item(name=f"item-{index}", value=0))
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                app.save(Item(name=f"item-{index}", value=0))
        check_log(ctx, _positions(app), rows=ctx.sizes["n"] + WARMUP)


def w1_create_batched(ctx: Ctx) -> None:
    n, batch = ctx.sizes["n"], ctx.sizes["batch"]
    ctx.info["txn"] = f"{batch} streams (one save)"
    with _app(ctx) as app:
        with ctx.timer():
            for start in range(0, n, batch):
                app.save(
                    *[Item(name=f"item-{i}", value=0) for i in range(start, min(n, start + batch))]
                )
        check_log(ctx, _positions(app), rows=n)


def w2_update(ctx: Ctx) -> None:
    history, k = ctx.sizes["history"], ctx.sizes["k"]
    cls = SnapshottingApp if ctx.sizes["snapshots"] else BenchApp
    with _app(ctx, cls) as app:
        ids = _save_histories(app, WARMUP + k, history)

        def command(item_id: UUID) -> None:
            item: Item = app.repository.get(item_id)
            item.update(1)
            app.save(item)

        for item_id in ids[:WARMUP]:
            command(item_id)
        with ctx.timer():
            for item_id in ids[WARMUP:]:
                command(item_id)
        ctx.check("last_version", app.repository.get(ids[-1]).version, history + 1)
        if app.snapshots is not None:
            found = list(app.snapshots.get(ids[-1], desc=True, limit=1))
            ctx.info["snapshot_version"] = found[0].originator_version if found else None


def _noop(domain_event: object) -> None:
    """The W3 handler: does nothing with the decoded event."""


def w3_catchup(ctx: Ctx) -> None:
    streams, per_stream = ctx.sizes["streams"], ctx.sizes["events_per_stream"]
    total = streams * per_stream
    with _app(ctx) as app:
        _save_histories(app, streams, per_stream)
        handle = _noop
        count = 0
        with ctx.timer():
            reader = NotificationLogReader(app.notification_log, section_size=ctx.sizes["page"])
            to_domain_event = app.mapper.to_domain_event
            for notification in reader.read(start=1):
                handle(to_domain_event(notification))
                count += 1
        ctx.check("events_read", count, total)


_COUNTERS_TABLE = "counters"


class PostgresCounters(PostgresTrackingRecorder):
    """The W4 read model on PostgreSQL: counter upsert + tracking, one transaction per event."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        table = Identifier(self.datastore.schema, _COUNTERS_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (stream_id uuid PRIMARY KEY, n bigint NOT NULL)"
            ).format(table)
        )
        self.upsert_statement = SQL(
            "INSERT INTO {0} (stream_id, n) VALUES (%s, 1) "
            "ON CONFLICT (stream_id) DO UPDATE SET n = {0}.n + 1"
        ).format(table)

    def count(self, stream_id: UUID, tracking: Tracking) -> None:
        """Count one event of a stream and track its position, atomically."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.upsert_statement, (stream_id,), prepare=True)
            self._insert_tracking(curs, tracking)


class SqliteCounters(SQLiteTrackingRecorder):
    """The W4 read model on SQLite: counter upsert + tracking, one transaction per event."""

    upsert_statement = (
        f"INSERT INTO {_COUNTERS_TABLE} (stream_id, n) VALUES (?, 1) "
        f"ON CONFLICT (stream_id) DO UPDATE SET n = n + 1"
    )

    def construct_create_table_statements(self) -> list[str]:
        """The tracking table, and the counters."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {_COUNTERS_TABLE} "
            "(stream_id TEXT PRIMARY KEY, n INTEGER NOT NULL)",
        ]

    def count(self, stream_id: UUID, tracking: Tracking) -> None:
        """Count one event of a stream and track its position, atomically."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.upsert_statement, (str(stream_id),))
            self._insert_tracking(curs, tracking)


class CountersProjection(Projection[Any]):
    """Counts each stream's events into the view."""

    name = "counters"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Every event of the log (``Created``, ``Updated``) counts for its stream."""
        self.view.count(domain_event.originator_id, tracking)


def _read_model(ctx: Ctx) -> tuple[int, int]:
    query = f"SELECT count(*), coalesce(sum(n), 0) FROM {_COUNTERS_TABLE}"
    if ctx.backend == "sqlite":
        with contextlib.closing(sqlite3.connect(ctx.storage.path)) as conn:
            rows, total = conn.execute(query).fetchone()
    else:
        with psycopg.connect(ctx.storage.url) as pg:
            found = pg.execute(query.replace("sum(n)", "sum(n)::bigint")).fetchone()
            assert found is not None
            rows, total = found
    return int(rows), int(total)


def _project_postgres(ctx: Ctx, env: dict[str, str], head: int) -> None:
    with contextlib.ExitStack() as stack, ctx.timer():
        runner = stack.enter_context(
            ProjectionRunner(
                application_class=BenchApp,
                projection_class=CountersProjection,
                view_class=PostgresCounters,
                env=env,
            )
        )
        # runner.wait() backs off up to 0.8 s between looks; poll every 5 ms instead.
        while (runner.view.max_tracking_id(runner.app.name) or 0) < head:
            runner.run_forever(timeout=0.005)


def _project_sqlite(ctx: Ctx, env: dict[str, str], head: int) -> None:
    with ctx.timer():
        app = BenchApp(env=env)
        factory = InfrastructureFactory[SqliteCounters].construct(
            Environment(CountersProjection.name, env)
        )
        view = factory.tracking_recorder(SqliteCounters)
        projection = CountersProjection(view=view)
        start = view.max_tracking_id(app.name)
        reader = NotificationLogReader(app.notification_log, section_size=ctx.sizes["page"])
        to_domain_event = app.mapper.to_domain_event
        for notifications in reader.select(start=start, inclusive_of_start=start is None):
            for notification in notifications:
                projection.process_event(
                    to_domain_event(notification), Tracking(app.name, notification.id)
                )
    ctx.check("tracked", view.max_tracking_id(app.name), head)
    factory.close()
    app.close()


def w4_projection(ctx: Ctx) -> None:
    streams, per_stream = ctx.sizes["streams"], ctx.sizes["events_per_stream"]
    env = _env(ctx)
    ctx.info["txn"] = "event"
    with _app(ctx) as app:
        _save_histories(app, streams, per_stream)
        head = app.recorder.max_notification_id() or 0
    if ctx.backend == "postgres":
        ctx.info["mechanism"] = "ProjectionRunner (LISTEN/NOTIFY subscription, thread)"
        _project_postgres(ctx, env, head)
    else:
        ctx.info["mechanism"] = "NotificationLogReader pull loop (no SQLite subscribe())"
        _project_sqlite(ctx, env, head)
    rows, total = _read_model(ctx)
    ctx.check("read_model_rows", rows, streams)
    ctx.check("read_model_sum", total, streams * per_stream)


def w5_concurrent_create(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    with _app(ctx) as app:
        seed = app.save(Item(name="item-0", value=0))[-1].notification.id
        log = app.notification_log

        def poll(after: int, limit: int) -> list[int]:
            return [n.id for n in log.select(start=after, limit=limit, inclusive_of_start=False)]

        reader = TailingReader(poll, after=seed, page=ctx.sizes["page"])

        def prepare(index: int) -> Callable[[], None]:
            def work() -> None:
                for i in range(per_thread):
                    app.save(Item(name=f"item-{index * per_thread + i}", value=0))

            return work

        reader.start()
        try:
            run_threads(ctx, threads, prepare)
        finally:
            reader.finish()
        positions = _positions(app)
        check_log(ctx, positions, rows=threads * per_thread + 1)
        reader.report(ctx, positions)


def w5_contended_update(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    outcome = ContendedOutcome()
    with _app(ctx) as app:
        seed = Item(name="item-0", value=0)
        app.save(seed)
        item_id = seed.id

        def prepare(index: int) -> Callable[[], None]:
            def work() -> None:
                done = attempt = 0
                while done < per_thread:
                    token = f"{index}-{attempt}"
                    attempt += 1
                    item: Item = app.repository.get(item_id)
                    item.mark(token)
                    try:
                        app.save(item)
                    except IntegrityError:
                        outcome.record(token, ok=False)
                        continue
                    outcome.record(token, ok=True)
                    done += 1

            return work

        run_threads(ctx, threads, prepare)
        stored = list(app.events.get(item_id))
        check_contended(
            ctx,
            outcome,
            versions=[e.originator_version for e in stored],
            tokens=[e.token for e in stored if type(e).__name__ == "Marked"],  # type: ignore[attr-defined]
            positions=_positions(app),
        )


_RUNNERS: dict[str, Runner] = {
    "w1_create": w1_create,
    "w1_create_batched": w1_create_batched,
    "w2_update": w2_update,
    "w3_catchup": w3_catchup,
    "w4_projection": w4_projection,
    "w5_concurrent_create": w5_concurrent_create,
    "w5_contended_update": w5_contended_update,
}
RUNNERS_BY_BACKEND: dict[Backend, dict[str, Runner]] = {
    "postgres": _RUNNERS,
    "sqlite": _RUNNERS,
}
