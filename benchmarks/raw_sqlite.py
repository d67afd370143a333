"""The raw baseline on SQLite: the stdlib ``sqlite3`` and hand-written SQL, no framework.

WAL mode with ``synchronous=FULL`` (set explicitly), autocommit statements, explicit
``BEGIN IMMEDIATE``/``COMMIT`` for multi-statement transactions. Concurrent writers are
serialized by an in-process lock (as the peer's pool does) instead of SQLite's busy handler.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

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
    global_position INTEGER PRIMARY KEY,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (stream_id, version)
);
CREATE TABLE snapshots (
    stream_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (stream_id, version)
);
CREATE TABLE counters (stream_id TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
"""

INSERT = (
    "INSERT INTO events (stream_id, version, type, data) VALUES (?, ?, ?, ?) "
    "RETURNING global_position"
)
INSERT_MANY = "INSERT INTO events (stream_id, version, type, data) VALUES (?, ?, ?, ?)"
SELECT_STREAM = (
    "SELECT version, type, data FROM events WHERE stream_id = ? AND version > ? ORDER BY version"
)
SELECT_SNAPSHOT = (
    "SELECT version, data FROM snapshots WHERE stream_id = ? ORDER BY version DESC LIMIT 1"
)
SELECT_PAGE = (
    "SELECT global_position, stream_id, version, type, data, metadata, recorded_at "
    "FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?"
)
UPSERT_COUNTER = (
    "INSERT INTO counters (stream_id, n) VALUES (?, 1) "
    "ON CONFLICT (stream_id) DO UPDATE SET n = n + 1"
)
UPSERT_CHECKPOINT = (
    "INSERT INTO checkpoints (name, position) VALUES ('counters', ?) "
    "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
)
WARMUP = 50


def _connect(ctx: Ctx) -> sqlite3.Connection:
    conn = sqlite3.connect(
        ctx.storage.path, isolation_level=None, check_same_thread=False, timeout=30
    )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


@contextmanager
def _opened(ctx: Ctx) -> Iterator[sqlite3.Connection]:
    conn = _connect(ctx)
    try:
        conn.executescript(SCHEMA)
        yield conn
    finally:
        conn.close()


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _load(conn: sqlite3.Connection, rows: Iterable[tuple[object, int, str, str]]) -> None:
    with _transaction(conn):
        conn.executemany(INSERT_MANY, rows)


def _new_id() -> str:
    return str(uuid.uuid4())


def _noop(*event: object) -> None:
    """The W3 handler: does nothing with the decoded event."""


def _positions(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT global_position FROM events ORDER BY 1")]


def w1_create(ctx: Ctx) -> None:
    with _opened(ctx) as conn:

        def command(index: int) -> None:
            conn.execute(INSERT, (_new_id(), 1, "Created", created(index))).fetchone()

        for index in range(WARMUP):
            command(index)
        with ctx.timer():
            for index in range(ctx.sizes["n"]):
                command(index)
        check_log(ctx, _positions(conn), rows=ctx.sizes["n"] + WARMUP)


def w1_create_batched(ctx: Ctx) -> None:
    n, batch = ctx.sizes["n"], ctx.sizes["batch"]
    ctx.info["txn"] = f"{batch} streams"
    with _opened(ctx) as conn:
        with ctx.timer():
            for start in range(0, n, batch):
                rows = [
                    (_new_id(), 1, "Created", created(i))
                    for i in range(start, min(n, start + batch))
                ]
                with _transaction(conn):
                    conn.executemany(INSERT_MANY, rows)
        check_log(ctx, _positions(conn), rows=n)


def w2_update(ctx: Ctx) -> None:
    history, k = ctx.sizes["history"], ctx.sizes["k"]
    snapshots, interval = bool(ctx.sizes["snapshots"]), ctx.sizes["interval"]
    streams = [_new_id() for _ in range(WARMUP + k)]
    with _opened(ctx) as conn:
        _load(conn, history_rows(streams, history))
        if snapshots:
            with _transaction(conn):
                conn.executemany(
                    "INSERT INTO snapshots VALUES (?, ?, 'Item', ?)",
                    [
                        (stream, version, snapshot_state(index, version))
                        for index, stream in enumerate(streams)
                        for version in range(interval, history + 1, interval)
                    ],
                )
        update = updated()

        def command(stream: str) -> None:
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
            "SELECT count(*) FROM events WHERE version = ?", (history + 1,)
        ).fetchone()
        ctx.check("updated_streams", done, WARMUP + k)


def w3_catchup(ctx: Ctx) -> None:
    streams, per_stream, page = (
        ctx.sizes["streams"],
        ctx.sizes["events_per_stream"],
        ctx.sizes["page"],
    )
    total = streams * per_stream
    with _opened(ctx) as conn:
        _load(conn, history_rows((_new_id() for _ in range(streams)), per_stream))
        handle = _noop
        count = 0
        with ctx.timer():
            last = 0
            while count < total:
                rows = conn.execute(SELECT_PAGE, (last, page)).fetchall()
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
    with _opened(ctx) as conn:
        _load(conn, history_rows((_new_id() for _ in range(streams)), per_stream))
        (head,) = conn.execute("SELECT max(global_position) FROM events").fetchone()
        ctx.info["txn"] = "event" if per_event else "page"
        ctx.info["mechanism"] = "keyset pages + executemany upserts + checkpoint"
        with ctx.timer():
            found = conn.execute(
                "SELECT position FROM checkpoints WHERE name = 'counters'"
            ).fetchone()
            last = found[0] if found else 0
            while last < head:
                rows = conn.execute(SELECT_PAGE, (last, page)).fetchall()
                events = [(row[0], row[1], row[3], decode(row[4])) for row in rows]
                if per_event:
                    for position, stream_id, _kind, _payload in events:
                        with _transaction(conn):
                            conn.execute(UPSERT_COUNTER, (stream_id,))
                            conn.execute(UPSERT_CHECKPOINT, (position,))
                else:
                    with _transaction(conn):
                        conn.executemany(UPSERT_COUNTER, [(e[1],) for e in events])
                        conn.execute(UPSERT_CHECKPOINT, (events[-1][0],))
                last = events[-1][0]
        row = conn.execute("SELECT count(*), coalesce(sum(n), 0) FROM counters").fetchone()
        ctx.check("read_model_rows", row[0], streams)
        ctx.check("read_model_sum", row[1], total)


def w4_projection(ctx: Ctx) -> None:
    _project(ctx, per_event=False)


def w4_projection_per_event(ctx: Ctx) -> None:
    _project(ctx, per_event=True)


def w5_concurrent_create(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    write_lock = threading.Lock()
    connections: list[sqlite3.Connection] = []
    with _opened(ctx) as conn:
        (seed,) = conn.execute(INSERT, (_new_id(), 1, "Created", created(0))).fetchone()
        tail = _connect(ctx)
        connections.append(tail)

        def poll(after: int, limit: int) -> list[int]:
            return [row[0] for row in tail.execute(SELECT_PAGE, (after, limit)).fetchall()]

        reader = TailingReader(poll, after=seed, page=ctx.sizes["page"])

        def prepare(index: int) -> Callable[[], None]:
            own = _connect(ctx)
            connections.append(own)

            def work() -> None:
                for i in range(per_thread):
                    params = (_new_id(), 1, "Created", created(index * per_thread + i))
                    with write_lock:
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


def w5_contended_update(ctx: Ctx) -> None:
    threads, per_thread = ctx.sizes["threads"], ctx.sizes["per_thread"]
    stream = _new_id()
    outcome = ContendedOutcome()
    write_lock = threading.Lock()
    connections: list[sqlite3.Connection] = []
    with _opened(ctx) as conn:
        conn.execute(INSERT, (stream, 1, "Created", created(0))).fetchone()

        def prepare(index: int) -> Callable[[], None]:
            own = _connect(ctx)
            connections.append(own)

            def work() -> None:
                done = attempt = 0
                while done < per_thread:
                    token = f"{index}-{attempt}"
                    attempt += 1
                    rows = own.execute(SELECT_STREAM, (stream, 0)).fetchall()
                    _state, version = fold(rows)
                    try:
                        with write_lock:
                            own.execute(INSERT, (stream, version + 1, "Marked", marked(token)))
                    except sqlite3.IntegrityError:
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
            "SELECT version, json_extract(data, '$.token') FROM events "
            "WHERE stream_id = ? ORDER BY version",
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
    "w5_contended_update": w5_contended_update,
}
