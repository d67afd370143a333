"""Where fabula's time goes: the hot paths of W1 (one command) and W3 (one event), timed apart.

Each part is timed alone on the same store, in microseconds per command or per event,
beside the driver doing the bare minimum on the same tables. ``--cprofile`` adds the top
functions of each whole path. Used for the "Profile" section of docs/benchmarks.md::

    python -m benchmarks.hotpaths --backend sqlite --commands 2000 --events 100000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import psycopg.sql

import fabula
from benchmarks.fabula_domain import Create, Item
from benchmarks.fabula_setup import event_registry, histories, new_flow
from benchmarks.raw_common import fold as raw_fold
from benchmarks.storage import DEFAULT_PG_URL, Storage, fresh
from fabula.app import uuid7
from fabula.codec import decode_recorded, encode_new
from fabula.store import NewEvent, StoredEvent

__all__ = ["main"]

COLUMNS = (
    "position, stream_id, version, event_id, type, {data}, schema_version, {metadata},"
    " causation_id, correlation_id, recorded_at"
)


ROUNDS = 3
"""Each part runs this many times; the fastest round is reported (the least disturbed)."""


def _per(label: str, count: int, run: Callable[[], object], *, profile: bool) -> float:
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        run()
        rounds.append((time.perf_counter() - started) / count * 1e6)
    micros = min(rounds)
    print(f"  {label:58s} {micros:9.2f} us  (rounds: {', '.join(f'{r:.1f}' for r in rounds)})")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
        print("\n".join("      " + line for line in out.getvalue().splitlines()[6:22]))
    return micros


def _driver_fetch(storage: Storage, page: int) -> Callable[[], int]:
    """Fetch the whole log with the driver alone (fabula's table and columns, no records)."""
    if storage.backend == "sqlite":
        conn = sqlite3.connect(storage.path)
        query = f"SELECT {COLUMNS.format(data='data', metadata='metadata')} FROM events"
        query += " WHERE position > ? ORDER BY position LIMIT ?"

        def fetch_sqlite() -> int:
            last = count = 0
            while rows := conn.execute(query, (last, page)).fetchall():
                count += len(rows)
                last = rows[-1][0]
            return count

        return fetch_sqlite
    pg = psycopg.connect(storage.url, autocommit=True)
    columns = COLUMNS.format(data="data::text", metadata="metadata::text")
    sql = f"SELECT {columns} FROM fabula.events WHERE position > %s ORDER BY position LIMIT %s"

    def fetch_pg() -> int:
        last = count = 0
        with pg.cursor(binary=True) as cur:
            while rows := cur.execute(sql, (last, page)).fetchall():
                count += len(rows)
                last = rows[-1][0]
        return count

    return fetch_pg


def catch_up(storage: Storage, *, events: int, page: int, profile: bool) -> None:
    """W3: per event, the driver alone, read_all, the subscription, and decoding.

    Pages are dropped as they are consumed (as in W3): keeping 100,000s of records alive
    would add the garbage collector's full scans to every number.
    """
    store = fabula.open_store(storage.url)
    try:
        histories(new_flow(store), events // 10, 10)
        registry = event_registry()

        def pages(consume: Callable[[list[StoredEvent]], object]) -> Callable[[], None]:
            def run() -> None:
                last = 0
                while batch := store.read_all(after=last, limit=page):
                    consume(batch)
                    last = batch[-1].position

            return run

        def subscribe() -> None:
            subscription = store.subscribe(batch_size=page)
            count = 0
            while count < events:
                count += len(subscription.next_batch(timeout=5))
            subscription.close()

        def payloads(batch: list[StoredEvent]) -> None:
            decode = registry.decode
            for r in batch:
                decode(r.type, r.schema_version, r.data)

        def envelopes(batch: list[StoredEvent]) -> None:
            for r in batch:
                decode_recorded(registry, r)

        print(f"W3 catch-up, {events:,} events, pages of {page} ({storage.backend})")
        fetch = _driver_fetch(storage, page)
        _per("driver: fetch rows (same table and columns)", events, fetch, profile=profile)
        read = _per(
            "store.read_all loop (driver + rows -> StoredEvent)",
            events,
            pages(len),
            profile=profile,
        )
        _per("store.subscribe().next_batch loop", events, subscribe, profile=profile)
        with_payloads = _per(
            "read_all + registry.decode (payload -> typed event)",
            events,
            pages(payloads),
            profile=profile,
        )
        with_envelopes = _per(
            "read_all + decode_recorded (typed event in envelope)",
            events,
            pages(envelopes),
            profile=profile,
        )
        print(f"  {'=> registry.decode alone':58s} {with_payloads - read:9.2f} us")
        print(f"  {'=> decode_recorded alone':58s} {with_envelopes - read:9.2f} us")
    finally:
        store.close()


def _raw_insert(storage: Storage) -> Callable[[], None]:
    """One autocommit INSERT of a new single-event stream in a table like raw's."""
    if storage.backend == "sqlite":
        conn = sqlite3.connect(storage.path, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (global_position INTEGER PRIMARY KEY,"
            " stream_id TEXT, version INTEGER, type TEXT, data TEXT,"
            " UNIQUE (stream_id, version))"
        )

        def insert_sqlite() -> None:
            conn.execute(
                "INSERT INTO raw_events (stream_id, version, type, data) VALUES (?, 1, ?, ?)"
                " RETURNING global_position",
                (str(uuid.uuid4()), "Created", '{"name":"x","value":0}'),
            ).fetchone()

        return insert_sqlite
    pg = psycopg.connect(storage.url, autocommit=True)
    pg.execute(
        "CREATE TABLE IF NOT EXISTS public.raw_events (global_position bigint"
        " GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id uuid, version int, type text,"
        " data jsonb,"
        " UNIQUE (stream_id, version))"
    )

    def insert_pg() -> None:
        pg.execute(
            "INSERT INTO public.raw_events (stream_id, version, type, data)"
            " VALUES (%s, 1, %s, %s) RETURNING global_position",
            (uuid.uuid4(), "Created", '{"name":"x","value":0}'),
        ).fetchone()

    return insert_pg


def create(storage: Storage, *, commands: int, profile: bool) -> None:
    """W1: per command, each step of ``flow.dispatch`` alone, and the raw insert.

    On PostgreSQL the steps run again with ``synchronous_commit=off`` (set on the
    database, so every new connection has it): what is left is CPU and round trips. On
    SQLite the WAL pages each command writes (and fsyncs) are counted.
    """
    _create_pass(storage, commands=commands, profile=profile, note="")
    if storage.backend == "postgres":
        name = psycopg.sql.Identifier(storage.dbname)
        with psycopg.connect(storage.url, autocommit=True) as admin:
            admin.execute(
                psycopg.sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(name)
            )
        _create_pass(storage, commands=commands, profile=False, note=", synchronous_commit=off")
        with psycopg.connect(storage.url, autocommit=True) as admin:
            admin.execute(
                psycopg.sql.SQL("ALTER DATABASE {} RESET synchronous_commit").format(name)
            )
    else:
        _wal_pages(storage)


def _wal_pages(storage: Storage) -> None:
    store = fabula.open_store(storage.url)
    probe = sqlite3.connect(storage.path, isolation_level=None)
    try:
        dispatch = new_flow(store).dispatch
        insert = _raw_insert(storage)

        def pages(step: Callable[[], object]) -> float:
            probe.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for _ in range(100):
                step()
            frames: int = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
            return frames / 100

        fabula_pages = pages(
            lambda: dispatch(Create(item_id=str(uuid.uuid4()), name="x"), expected_version=0)
        )
        raw_pages = pages(insert)
        print(f"  {'WAL pages written (and fsynced) per command: fabula':58s} {fabula_pages:9.1f}")
        print(f"  {'WAL pages written (and fsynced) per command: raw':58s} {raw_pages:9.1f}")
    finally:
        probe.close()
        store.close()


def _create_pass(storage: Storage, *, commands: int, profile: bool, note: str) -> None:
    store = fabula.open_store(storage.url)
    try:
        flow = new_flow(store)
        registry = flow.registry
        decider = Item.decider
        for index in range(50):
            flow.dispatch(
                Create(item_id=str(uuid.uuid4()), name=f"warm-{index}"), expected_version=0
            )

        def repeat(step: Callable[[], Any]) -> Callable[[], None]:
            def run() -> None:
                for _ in range(commands):
                    step()

            return run

        def new_event() -> list[NewEvent]:
            return [NewEvent(event_id=uuid7(), type="Created", data='{"name":"x","value":0}')]

        print(f"W1 create, {commands:,} commands ({storage.backend}{note})")
        _per(
            "flow.dispatch(Create, expected_version=0) in all",
            commands,
            repeat(
                lambda: flow.dispatch(
                    Create(item_id=str(uuid.uuid4()), name="x"), expected_version=0
                )
            ),
            profile=profile,
        )
        _per(
            "store.load_snapshot (W2's path; a create skips it)",
            commands,
            repeat(lambda: store.load_snapshot(str(uuid.uuid4()))),
            profile=False,
        )
        _per(
            "store.read_stream (W2's path; a create skips it)",
            commands,
            repeat(lambda: store.read_stream(str(uuid.uuid4()))),
            profile=False,
        )
        _per(
            "store.append (1 event, ExpectedVersion(0))",
            commands,
            repeat(
                lambda: store.append(
                    str(uuid.uuid4()), new_event(), precondition=fabula.ExpectedVersion(0)
                )
            ),
            profile=profile,
        )
        _per(
            "decide + encode_new (uuid7, msgspec, NewEvent)",
            commands,
            repeat(
                lambda: encode_new(
                    registry,
                    decider.decide(Create(item_id="x", name="x"), decider.initial_state()),
                    metadata={},
                    causation_id=uuid7(),
                    correlation_id=uuid7(),
                )
            ),
            profile=False,
        )
        _per(
            "driver: INSERT ... RETURNING, autocommit (raw W1)",
            commands,
            repeat(_raw_insert(storage)),
            profile=False,
        )
    finally:
        store.close()


def fold(storage: Storage, *, streams: int, history: int, profile: bool) -> None:
    """W2: per event of a long stream, what ``repository.load`` spends."""
    store = fabula.open_store(storage.url)
    try:
        flow = new_flow(store)
        repository = flow.repository(Item)
        registry = flow.registry
        ids = histories(flow, streams, history)
        records = {stream_id: store.read_stream(stream_id) for stream_id in ids}
        events = {
            stream_id: [registry.decode(r.type, r.schema_version, r.data) for r in found]
            for stream_id, found in records.items()
        }
        rows = {
            stream_id: [(r.version, r.type, r.data) for r in found]
            for stream_id, found in records.items()
        }
        evolve, initial = Item.decider.evolve, Item.decider.initial_state

        def each(step: Callable[[str], object]) -> Callable[[], None]:
            def run() -> None:
                for stream_id in ids:
                    step(stream_id)

            return run

        def fold_events(stream_id: str) -> None:
            state = initial()
            for event in events[stream_id]:
                state = evolve(state, event)

        count = streams * history
        print(f"W2 fold, {streams} streams of {history} events ({storage.backend})")
        _per("repository.load in all", count, each(repository.load), profile=profile)
        _per(
            "store.read_stream (driver + rows -> StoredEvent)",
            count,
            each(store.read_stream),
            profile=False,
        )
        _per(
            "decode_recorded (what load calls per event)",
            count,
            each(lambda s: [decode_recorded(registry, r) for r in records[s]]),
            profile=False,
        )
        _per(
            "registry.decode (the payload alone)",
            count,
            each(lambda s: [registry.decode(r.type, r.schema_version, r.data) for r in records[s]]),
            profile=False,
        )
        _per("decider.evolve (class-style Item)", count, each(fold_events), profile=False)
        _per(
            "raw fold (json decode + update) on the same rows",
            count,
            each(lambda s: raw_fold(rows[s])),
            profile=False,
        )
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    """Print the breakdowns."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hotpaths", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--cprofile", action="store_true", help="top functions of each path")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    options = parser.parse_args(argv)
    with fresh(options.backend, pg_url=options.pg_url) as storage:
        create(storage, commands=options.commands, profile=options.cprofile)
    with fresh(options.backend, pg_url=options.pg_url) as storage:
        fold(storage, streams=30, history=1000, profile=options.cprofile)
    with fresh(options.backend, pg_url=options.pg_url) as storage:
        catch_up(storage, events=options.events, page=options.page, profile=options.cprofile)


if __name__ == "__main__":
    main()
