"""The raw baseline on PostgreSQL: psycopg 3 and hand-written SQL, no framework.

One autocommit statement per step (the server's default durability), the unique
``(stream_id, version)`` constraint as the optimistic-concurrency check, COPY for setups.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg import errors

from benchmarks.checks import ContendedOutcome, TailingReader, check_contended, check_log
from benchmarks.harness import Ctx, Runner
from benchmarks.raw_common import (
    ItemState,
    created,
    decode,
    fold,
    history_rows,
    marked,
    snapshot_state,
    updated,
)
from benchmarks.threads import run_threads

__all__ = ["RUNNERS"]

SCHEMA = """
CREATE TABLE events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id uuid NOT NULL,
    version int NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)
);
CREATE TABLE snapshots (
    stream_id uuid NOT NULL, version int NOT NULL, type text NOT NULL, data jsonb NOT NULL,
    PRIMARY KEY (stream_id, version)
);
CREATE TABLE counters (stream_id uuid PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE checkpoints (name text PRIMARY KEY, position bigint NOT NULL);
"""

INSERT = (
    "INSERT INTO events (stream_id, version, type, data) VALUES (%s, %s, %s, %s) "
    "RETURNING global_position"
)
INSERT_MANY = "INSERT INTO events (stream_id, version, type, data) VALUES (%s, %s, %s, %s)"
SELECT_STREAM = (
    "SELECT version, type, data::text FROM events "
    "WHERE stream_id = %s AND version > %s ORDER BY version"
)
SELECT_SNAPSHOT = (
    "SELECT version, data::text FROM snapshots WHERE stream_id = %s ORDER BY version DESC LIMIT 1"
)
SELECT_PAGE = (
    "SELECT global_position, stream_id, version, type, data::text, metadata::text, recorded_at "
    "FROM events WHERE global_position > %s ORDER BY global_position LIMIT %s"
)
UPSERT_COUNTER = (
    "INSERT INTO counters (stream_id, n) VALUES (%s, 1) "
    "ON CONFLICT (stream_id) DO UPDATE SET n = counters.n + 1"
)
UPSERT_CHECKPOINT = (
    "INSERT INTO checkpoints (name, position) VALUES ('counters', %s) "
    "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
)
WARMUP = 50


def _connect(ctx: Ctx) -> psycopg.Connection[Any]:
    return psycopg.connect(ctx.storage.url, autocommit=True)


def _setup(ctx: Ctx) -> psycopg.Connection[Any]:
    conn = _connect(ctx)
    conn.execute(SCHEMA)
    return conn


def _copy(conn: psycopg.Connection[Any], rows: Iterable[tuple[object, int, str, str]]) -> None:
    with (
        conn.cursor() as cur,
        cur.copy("COPY events (stream_id, version, type, data) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _noop(*event: object) -> None:
    """The W3 handler: does nothing with the decoded event."""


def _positions(conn: psycopg.Connection[Any]) -> list[int]:
    return [row[0] for row in conn.execute("SELECT global_position FROM events ORDER BY 1")]


def w1_create(ctx: Ctx) -> None:
    with _setup(ctx) as conn:

        def command(index: int) -> None:
            conn.execute(INSERT, (uuid.uuid4(), 1, "Created", created(index))).fetchone()

        for index in range(WARMUP):
            command(index)
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                command(index)
        check_log(ctx, _positions(conn), rows=ctx.sizes["n"] + WARMUP)


def w1_create_batched(ctx: Ctx) -> None:
    n, batch = ctx.sizes["n"], ctx.sizes["batch"]
    with _setup(ctx) as conn:
        ctx.info["txn"] = f"{batch} streams"
        with ctx.timer():
            for start in range(0, n, batch):
                rows = [
                    (uuid.uuid4(), 1, "Created", created(i))
                    for i in range(start, min(n, start + batch))
                ]
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(INSERT_MANY, rows)
        check_log(ctx, _positions(conn), rows=n)


def w2_update(ctx: Ctx) -> None:
    history, k = ctx.sizes["history"], ctx.sizes["k"]
    snapshots, interval = bool(ctx.sizes["snapshots"]), ctx.sizes["interval"]
    streams = [uuid.uuid4() for _ in range(WARMUP + k)]
    with _setup(ctx) as conn:
        _copy(conn, history_rows(streams, history))
        if snapshots:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO snapshots VALUES (%s, %s, 'Item', %s)",
                    [
                        (stream, version, snapshot_state(index, version))
                        for index, stream in enumerate(streams)
                        for version in range(interval, history + 1, interval)
                    ],
                )
        update = updated()

        def command(stream: uuid.UUID) -> None:
            state, version = None, 0
            if snapshots:
                row = conn.execute(SELECT_SNAPSHOT, (stream,)).fetchone()
                if row is not None:
                    version = row[0]
                    payload = decode(row[1])
                    state = ItemState(payload["name"], payload["value"])
            rows = conn.execute(SELECT_STREAM, (stream, version)).fetchall()
            state, version = fold(rows, state, version)
            conn.execute(INSERT, (stream, version + 1, "Updated", update)).fetchone()

        for stream in streams[:WARMUP]:
            command(stream)
        with ctx.timer():
            for stream in streams[WARMUP:]:
                command(stream)
        (done,) = conn.execute(
            "SELECT count(*) FROM events WHERE version = %s", (history + 1,)
        ).fetchone() or (0,)
        ctx.check("updated_streams", done, WARMUP + k)


def w3_catchup(ctx: Ctx) -> None:
    streams, per_stream, page = (
        ctx.sizes["streams"],
        ctx.sizes["events_per_stream"],
        ctx.sizes["page"],
    )
    total = streams * per_stream
    with _setup(ctx) as conn:
        _copy(conn, history_rows((uuid.uuid4() for _ in range(streams)), per_stream))
        handle = _noop
        count = 0
        with ctx.timer(), conn.cursor(binary=True) as cur:
            last = 0
            while count < total:
                rows = cur.execute(SELECT_PAGE, (last, page)).fetchall()
                for position, stream_id, version, kind, data, metadata, recorded_at in rows:
                    handle(position, stream_id, version, kind, decode(data), metadata, recorded_at)
                count += len(rows)
                last = rows[-1][0]
        ctx.check("events_read", count, total)


def _project(ctx: Ctx, *, per_event: bool) -> None:
    streams, per_stream, page = (
        ctx.sizes["streams"],
        ctx.sizes["events_per_stream"],
        ctx.sizes["page"],
    )
    total = streams * per_stream
    with _setup(ctx) as conn:
        _copy(conn, history_rows((uuid.uuid4() for _ in range(streams)), per_stream))
        (head,) = conn.execute("SELECT max(global_position) FROM events").fetchone() or (0,)
        ctx.info["txn"] = "event" if per_event else "page"
        ctx.info["mechanism"] = "keyset pages + executemany upserts + checkpoint"
        with ctx.timer(), conn.cursor(binary=True) as reader, conn.cursor() as writer:
            found = conn.execute(
                "SELECT position FROM checkpoints WHERE name = 'counters'"
            ).fetchone()
            last = found[0] if found else 0
            while last < head:
                rows = reader.execute(SELECT_PAGE, (last, page)).fetchall()
                events = [(row[0], row[1], row[3], decode(row[4])) for row in rows]
                if per_event:
                    for position, stream_id, _kind, _payload in events:
                        with conn.transaction():
                            writer.execute(UPSERT_COUNTER, (stream_id,))
                            writer.execute(UPSERT_CHECKPOINT, (position,))
                else:
                    with conn.transaction():
                        writer.executemany(UPSERT_COUNTER, [(e[1],) for e in events])
                        writer.execute(UPSERT_CHECKPOINT, (events[-1][0],))
                last = events[-1][0]
        row = conn.execute("SELECT count(*), coalesce(sum(n), 0)::bigint FROM counters").fetchone()
        assert row is not None
        ctx.check("read_model_rows", row[0], streams)
        ctx.check("read_model_sum", row[1], total)


def w4_projection(ctx: Ctx) -> None:
    _project(ctx, per_event=False)


def w4_projection_per_event(ctx: Ctx) -> None:
    _project(ctx, per_event=True)


def _tail_poll(conn: psycopg.Connection[Any]) -> Callable[[int, int], list[int]]:
    cur = conn.cursor(binary=True)

    def poll(after: int, limit: int) -> list[int]:
        return [row[0] for row in cur.execute(SELECT_PAGE, (after, limit)).fetchall()]

    return poll


def _concurrent_create(ctx: Ctx, *, locked: bool) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    with _setup(ctx) as conn, _connect(ctx) as tail_conn:
        (seed,) = conn.execute(INSERT, (uuid.uuid4(), 1, "Created", created(0))).fetchone() or (0,)
        reader = TailingReader(_tail_poll(tail_conn), after=seed, page=ctx.sizes["page"])
        connections: list[psycopg.Connection[Any]] = []

        def prepare(index: int) -> Callable[[], None]:
            own = _connect(ctx)
            connections.append(own)

            def work() -> None:
                for i in range(per_thread):
                    params = (uuid.uuid4(), 1, "Created", created(index * per_thread + i))
                    if locked:
                        with own.transaction():
                            own.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                            own.execute(INSERT, params).fetchone()
                    else:
                        own.execute(INSERT, params).fetchone()

            return work

        reader.start()
        try:
            run_threads(ctx, threads, prepare)
        finally:
            reader.finish()
            for own in connections:
                own.close()
        positions = _positions(conn)
        check_log(ctx, positions, rows=threads * per_thread + 1)
        reader.report(ctx, positions)


def w5_concurrent_create(ctx: Ctx) -> None:
    _concurrent_create(ctx, locked=False)


def w5_concurrent_create_locked(ctx: Ctx) -> None:
    _concurrent_create(ctx, locked=True)


def w5_contended_update(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    stream = uuid.uuid4()
    outcome = ContendedOutcome()
    connections: list[psycopg.Connection[Any]] = []
    lock = threading.Lock()
    with _setup(ctx) as conn:
        conn.execute(INSERT, (stream, 1, "Created", created(0))).fetchone()

        def prepare(index: int) -> Callable[[], None]:
            own = _connect(ctx)
            with lock:
                connections.append(own)

            def work() -> None:
                done = attempt = 0
                while done < per_thread:
                    token = f"{index}-{attempt}"
                    attempt += 1
                    rows = own.execute(SELECT_STREAM, (stream, 0)).fetchall()
                    _state, version = fold(rows)
                    try:
                        own.execute(INSERT, (stream, version + 1, "Marked", marked(token)))
                    except errors.UniqueViolation:
                        outcome.record(token, ok=False)
                        continue
                    outcome.record(token, ok=True)
                    done += 1

            return work

        try:
            run_threads(ctx, threads, prepare)
        finally:
            for own in connections:
                own.close()
        rows = conn.execute(
            "SELECT version, data->>'token' FROM events WHERE stream_id = %s ORDER BY version",
            (stream,),
        ).fetchall()
        check_contended(
            ctx,
            outcome,
            versions=[row[0] for row in rows],
            tokens=[row[1] for row in rows if row[1] is not None],
            positions=_positions(conn),
        )


RUNNERS: dict[str, Runner] = {
    "w1_create": w1_create,
    "w1_create_batched": w1_create_batched,
    "w2_update": w2_update,
    "w3_catchup": w3_catchup,
    "w4_projection": w4_projection,
    "w4_projection_per_event": w4_projection_per_event,
    "w5_concurrent_create": w5_concurrent_create,
    "w5_concurrent_create_locked": w5_concurrent_create_locked,
    "w5_contended_update": w5_contended_update,
}
