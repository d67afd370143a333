"""Partitioned projection workers: throughput with K worker processes, and takeover time.

``python -m benchmarks.partitions [--events 4000] [--partitions 8]`` (PostgreSQL, store and
target in fresh schemas): a projection whose batch handler waits 2 ms per batch (I/O), run
by K = 1, 2 and 4 ``PartitionedWorker`` processes until every partition reaches the head;
then two workers, one killed with kill -9, and the seconds until the other holds every
partition. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
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
    """One row per event; the batch handler waits 2 ms (the I/O) per batch."""
    parts = Projection(NAME, tables=["bench_parts"], batch_size=20)

    @parts.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS bench_parts (position BIGINT PRIMARY KEY)")

    @parts.on_batch(Ticked)
    def ticked(tx: Any, events: Sequence[Recorded[Ticked]]) -> None:
        time.sleep(0.002)
        with tx.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_parts (position) VALUES (%s)", [(e.position,) for e in events]
            )

    return parts


def schema_url(schema: str) -> str:
    return f"{URL}{'&' if '?' in URL else '?'}{urlencode({'schema': schema})}"


def worker_main(store_url: str, target_url: str, partitions: int, ttl: float) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    store, target = open_store(store_url), open_target(target_url)
    registry = fabula.EventRegistry()
    registry.register(Ticked)
    worker = PartitionedWorker(
        store,
        projection(),
        target=target,
        partitions=partitions,
        registry=registry,
        lease=LeaseSettings(ttl=ttl, acquire_interval=0.1),
        poll_interval=0.05,
    )
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


def spawn(store_url: str, target_url: str, partitions: int, ttl: float) -> subprocess.Popen[bytes]:
    code = (
        "import sys; from benchmarks.partitions import worker_main; "
        "worker_main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, store_url, target_url, str(partitions), str(ttl)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(15)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


def throughput(k: int, events: int, partitions: int) -> float:
    tag = f"bparts_{os.getpid()}_{k}"
    store_url, target_url = schema_url(f"{tag}_s"), schema_url(f"{tag}_t")
    try:
        head = fill(store_url, events)
        open_target(target_url).close()
        started = time.monotonic()
        workers = [spawn(store_url, target_url, partitions, 2.0) for _ in range(k)]
        try:
            wait(lambda: all(p >= head for p, _ in positions(target_url, partitions)))
        finally:
            elapsed = time.monotonic() - started
            stop(workers)
        return events / elapsed
    finally:
        drop_schema(store_url)
        drop_schema(target_url)


def takeover(partitions: int, ttl: float = 1.0) -> float:
    tag = f"bparts_{os.getpid()}_kill"
    store_url, target_url = schema_url(f"{tag}_s"), schema_url(f"{tag}_t")
    try:
        fill(store_url, 200)
        workers = [spawn(store_url, target_url, partitions, ttl) for _ in range(2)]
        try:

            def owners() -> set[str | None]:
                return {o for _, o in positions(target_url, partitions)}

            wait(lambda: len(owners()) == 2 and None not in owners(), timeout=60)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            return wait(lambda: len(owners()) == 1 and None not in owners(), timeout=60)
        finally:
            stop(workers)
    finally:
        drop_schema(store_url)
        drop_schema(target_url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.partitions")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--partitions", type=int, default=8)
    args = parser.parse_args(argv)
    rates = {k: throughput(k, args.events, args.partitions) for k in (1, 2, 4)}
    took = takeover(args.partitions)
    print(f"| workers K | events/s | x K=1 | target |  ({args.events} events, N={args.partitions})")
    print("|---|---|---|---|")
    for k, rate in rates.items():
        target = {1: "-", 2: ">= 1.8", 4: ">= 3"}[k]
        print(f"| {k} | {rate:,.0f} | {rate / rates[1]:.2f} | {target} |")
    print(f"\ntakeover after kill -9 (ttl 1 s): {took:.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
