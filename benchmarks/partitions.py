"""Partitioned projection workers: throughput with K worker processes, and takeover time.

``python -m benchmarks.partitions [--events 8000] [--partitions 8] [--backend postgres|sqlite]
[--repeat 3]``: store and target in fresh PostgreSQL schemas (or fresh SQLite files), a
projection whose batch handler waits 2 ms (``time.sleep``: the I/O) once per batch it
receives and inserts one row per event, run by K = 1, 2 and 4 ``PartitionedWorker``
processes. Each worker starts, imports, opens its store and target, joins (takes its member lease),
says "ready" and waits; the clock starts when every worker is ready and told to go, and
stops when the read model holds one row per event (process start-up is not measured, and
the workers split the partitions at once instead of rebalancing after the start).
Then two workers, one killed with kill -9, and the seconds until the other holds every
partition. Prints a Markdown table of medians, with the load average.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import fabula
from fabula import Recorded
from fabula.read import LeaseSettings, PartitionedWorker, Projection, open_target
from fabula.read.running._partitions import partition_name
from fabula.store import NewEvent, open_store
from fabula.store.postgres import drop_schema

ROOT = Path(__file__).resolve().parent.parent
NAME = "bench_parts"
URL = os.environ.get("FABULA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@fabula.event("bench_part_ticked")
@dataclass(frozen=True)
class Ticked:
    n: int


def projection() -> Projection:
    """One row per event; the batch handler waits 2 ms (the I/O) once per batch it receives."""
    parts = Projection(NAME, tables=["bench_parts"], batch_size=20)

    @parts.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS bench_parts (position BIGINT PRIMARY KEY)")

    @parts.on_batch(Ticked)
    def ticked(tx: Any, events: Sequence[Recorded[Ticked]]) -> None:
        time.sleep(0.002)
        with _cursor(tx) as cursor:
            cursor.executemany(
                f"INSERT INTO bench_parts (position) VALUES ({MARK[0]})",
                [(e.position,) for e in events],
            )

    return parts


MARK = ["%s"]
"""The driver's placeholder: ``%s`` (psycopg), ``?`` (sqlite3)."""


@contextmanager
def _cursor(tx: Any) -> Iterator[Any]:
    cursor = tx.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def schema_url(schema: str) -> str:
    return f"{URL}{'&' if '?' in URL else '?'}{urlencode({'schema': schema})}"


def worker_main(store_url: str, target_url: str, partitions: int, ttl: float) -> None:
    """One worker process: open, say ready, wait for "go" on stdin, run until SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    MARK[0] = "?" if store_url.startswith("sqlite") else "%s"
    store, target = open_store(store_url), open_target(target_url)
    registry = fabula.EventRegistry()
    registry.register(Ticked)
    worker = PartitionedWorker(
        store,
        projection(),
        target=target,
        partitions=partitions,
        registry=registry,
        lease=LeaseSettings(ttl=ttl),  # the default intervals
        poll_interval=0.05,
    )
    worker.join()  # counted before any worker starts: no start-up rebalance
    print("ready", flush=True)
    while not select.select([sys.stdin], [], [], ttl / 3)[0]:
        worker.join()  # stay counted while the others start
    sys.stdin.readline()
    worker.start()
    stop.wait()
    worker.stop()
    target.close()
    store.close()


def fill(store_url: str, events: int) -> int:
    registry = fabula.EventRegistry()
    registry.register(Ticked)
    store = open_store(store_url)
    last = 0
    try:
        per = 10
        for s in range(events // per):
            records = []
            for n in range(per):
                name, version, data = registry.encode(Ticked(n))
                records.append(
                    NewEvent(event_id=fabula.uuid7(), type=name, data=data, schema_version=version)
                )
            last = store.append(f"tick-{s}", records).positions[-1]
    finally:
        store.close()
    return last


def spawn(store_url: str, target_url: str, partitions: int, ttl: float) -> subprocess.Popen[str]:
    code = (
        "import sys; from benchmarks.partitions import worker_main; "
        "worker_main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, store_url, target_url, str(partitions), str(ttl)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def go(workers: Sequence[subprocess.Popen[str]]) -> None:
    """Wait until every worker is ready, then tell them all to start."""
    for w in workers:
        assert w.stdout is not None
        if w.stdout.readline().strip() != "ready":
            msg = "a worker did not start"
            raise SystemExit(msg)
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()


def rows(target_url: str) -> int:
    """The read model's rows (0 before the table exists)."""
    if target_url.startswith("sqlite"):
        path = target_url.removeprefix("sqlite:///")
        with sqlite3.connect(path, timeout=30) as conn:
            found = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'bench_parts'"
            ).fetchone()[0]
            return (
                int(conn.execute("SELECT count(*) FROM bench_parts").fetchone()[0]) if found else 0
            )
    import psycopg

    base, schema = target_url.split("?schema=")
    with psycopg.connect(base, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass(%s)", (f"{schema}.bench_parts",)).fetchone()
        if found is None or found[0] is None:
            return 0
        counted = conn.execute(f'SELECT count(*) FROM "{schema}".bench_parts').fetchone()
        return int(counted[0]) if counted else 0


def positions(target_url: str, partitions: int) -> list[tuple[int, str | None]]:
    target = open_target(target_url)
    try:
        found = []
        for i in range(partitions):
            name = partition_name(NAME, i)
            lease = target.lease(name)
            found.append((target.checkpoint(name).position, lease.owner if lease else None))
        return found
    finally:
        target.close()


def wait(condition: Any, timeout: float = 300.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            msg = "benchmark timed out"
            raise SystemExit(msg)
        time.sleep(0.02)
    return time.monotonic() - started


def stop(workers: Sequence[subprocess.Popen[str]]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(15)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


@contextmanager
def place(backend: str, tag: str) -> Iterator[tuple[str, str]]:
    """A fresh store URL and target URL (PostgreSQL schemas or SQLite files), removed after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bparts") as directory:
            yield f"sqlite:///{directory}/events.db", f"sqlite:///{directory}/read.db"
        return
    store_url, target_url = schema_url(f"{tag}_s"), schema_url(f"{tag}_t")
    try:
        yield store_url, target_url
    finally:
        drop_schema(store_url)
        drop_schema(target_url)


def throughput(backend: str, k: int, events: int, partitions: int, run: int) -> float:
    with place(backend, f"bparts_{os.getpid()}_{k}_{run}") as (store_url, target_url):
        fill(store_url, events)
        open_target(target_url).close()
        workers = [spawn(store_url, target_url, partitions, 2.0) for _ in range(k)]
        try:
            go(workers)
            started = time.monotonic()
            wait(lambda: rows(target_url) >= events)
            elapsed = time.monotonic() - started
        finally:
            stop(workers)
        return events / elapsed


def takeover(backend: str, partitions: int, ttl: float = 1.0) -> float:
    with place(backend, f"bparts_{os.getpid()}_kill") as (store_url, target_url):
        fill(store_url, 200)
        workers = [spawn(store_url, target_url, partitions, ttl) for _ in range(2)]
        try:
            go(workers)

            def owners() -> set[str | None]:
                return {o for _, o in positions(target_url, partitions)}

            wait(lambda: len(owners()) == 2 and None not in owners(), timeout=60)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            return wait(lambda: len(owners()) == 1 and None not in owners(), timeout=60)
        finally:
            stop(workers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.partitions")
    parser.add_argument("--events", type=int, default=8000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4", help="the values of K, comma-separated")
    args = parser.parse_args(argv)
    ks = [int(k) for k in args.workers.split(",")]
    found: dict[int, list[float]] = {k: [] for k in ks}
    loads: list[float] = []
    for run in range(args.repeat):  # interleaved, so a load change hits every K alike
        for k in ks:
            loads.append(os.getloadavg()[0])
            found[k].append(throughput(args.backend, k, args.events, args.partitions, run))
    took = takeover(args.backend, args.partitions) if args.partitions > 1 else None
    rates = {k: statistics.median(v) for k, v in found.items()}
    print(
        f"{args.backend}, {args.events} events, N={args.partitions}, median of {args.repeat};"
        f" load average (1 min) {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
    )
    print("| workers K | events/s (median) | runs | x K=1 | target |")
    print("|---|---|---|---|---|")
    for k, rate in rates.items():
        target = {1: "-", 2: ">= 1.8", 4: ">= 3"}.get(k, "-")
        runs = ", ".join(f"{r:,.0f}" for r in found[k])
        print(f"| {k} | {rate:,.0f} | {runs} | {rate / rates[ks[0]]:.2f} | {target} |")
    if took is not None:  # two workers each holding a partition need N >= 2
        print(f"\ntakeover after kill -9 (ttl 1 s): {took:.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
