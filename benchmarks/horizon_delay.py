"""How long a subscriber waits for an event while transactions outside the store run.

``python -m benchmarks.horizon_delay [--hold SECONDS] [--url URL]``

Two write transactions are held open for ``--hold`` seconds: one in a scratch database
(created and dropped here), one in the store's own database on a scratch table. One
second into the hold, an event is appended to a fresh store, and a live subscriber
(another store on the same schema) times its delivery. Before fabula's horizon ignored
transactions outside the store (docs/adr/0002), delivery waited for the holds to end;
now it should take milliseconds. Prints one line per run, and the median.

Keep holds short on a shared server: every other reader of the old horizon waits too.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
from psycopg import sql

from benchmarks.storage import DEFAULT_PG_URL
from fabula._postgres._settings import split_url
from fabula.store import NewEvent
from fabula.store.postgres import PostgresStore, drop_schema

_LEAD = 1.0  # seconds into the hold before the append


@contextlib.contextmanager
def writers_outside_the_store(conninfo: str, hold: float) -> Iterator[None]:
    """Hold a write transaction in a scratch database and one in this database.

    Both end after ``hold`` seconds (or when the block ends, if sooner).
    """
    name = f"fabula_foreign_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            with (
                psycopg.connect(conninfo, dbname=name) as foreign,
                psycopg.connect(conninfo) as local,
            ):
                for conn in (foreign, local):
                    conn.execute("CREATE TEMPORARY TABLE scratch (n int)")
                    conn.execute("INSERT INTO scratch VALUES (1)")
                lock = threading.Lock()

                def release() -> None:
                    with lock:
                        foreign.rollback()
                        local.rollback()

                timer = threading.Timer(hold, release)
                timer.start()
                try:
                    yield
                finally:
                    timer.cancel()
                    release()
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def delivery_delay(url: str, hold: float) -> float:
    """Seconds from an append's return to its delivery, during a ``hold``-second hold."""
    schema = f"fabula_delay_{uuid.uuid4().hex[:12]}"
    store_url = f"{url}?schema={schema}"
    conninfo, _ = split_url(store_url)
    try:
        with (
            PostgresStore.from_url(store_url) as writer,
            PostgresStore.from_url(store_url) as reader,
        ):
            subscription = reader.subscribe(after=reader.head(), poll_interval=0.5)
            try:
                with writers_outside_the_store(conninfo, hold):
                    started = time.monotonic()
                    time.sleep(_LEAD)
                    event = NewEvent(event_id=uuid.uuid4(), type="Timed", data="{}")
                    writer.append("delay-1", [event])
                    appended = time.monotonic()
                    deadline = started + hold + 10
                    delay = float("inf")
                    while time.monotonic() < deadline:
                        batch = subscription.next_batch(timeout=0.05)
                        if any(e.event_id == event.event_id for e in batch):
                            delay = time.monotonic() - appended
                            break
                    time.sleep(max(0.0, started + hold - time.monotonic()))
            finally:
                subscription.close()
    finally:
        drop_schema(store_url)
    return delay


def main() -> None:
    """Run the measurement ``--runs`` times and print each delay and the median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_PG_URL, help="a database URL (no schema)")
    parser.add_argument("--hold", type=float, default=6.0, help="seconds each hold lasts")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    delays = []
    for run in range(1, options.runs + 1):
        delay = delivery_delay(options.url, options.hold)
        delays.append(delay)
        print(f"run {run}: hold {options.hold:.0f}s, delivered {delay:.3f}s after the append")
    print(f"median delivery delay: {statistics.median(delays):.3f}s")


if __name__ == "__main__":
    main()
