"""Memory check: a fabula catch-up over a long log keeps its resident memory bounded.

The log is written by one subprocess and read by another, so neither the writer's nor the
benchmark runner's memory counts. The reader subscribes from the start, decodes every event
into its typed envelope (``decode_records``) and drops it, and samples its RSS after
every page. Growth is measured from the end of the first page (imports, connections and
caches are warm by then) to the peak.

Run alone: ``python -m benchmarks.rss --backend sqlite --events 1000000``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.storage import DEFAULT_PG_URL, fresh
from benchmarks.workloads import Backend

__all__ = ["measure"]

STREAM_EVENTS = 1000
"""Events per stream in the long log (one append each)."""

ROOT = Path(__file__).resolve().parent.parent


def _rss_mib() -> float:
    """This process's resident set size, from /proc (Linux)."""
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _write(url: str, events: int) -> None:
    import fabula
    from benchmarks.fabula_domain import Created, Item, Updated, stream_of

    store = fabula.open_store(url)
    try:
        flow = fabula.Flow(store)
        repository = flow.register(Item, stream_id=stream_of)
        written = index = 0
        while written < events:
            size = min(STREAM_EVENTS, events - written)
            history = [Created(name=f"item-{index}"), *[Updated(amount=1)] * (size - 1)]
            repository.append(str(uuid.uuid4()), history, precondition=fabula.NO_STREAM)
            written += size
            index += 1
    finally:
        store.close()


def _read(url: str, page: int) -> dict[str, Any]:
    import fabula
    from benchmarks.fabula_domain import Item
    from fabula.app import decode_records
    from fabula.codec import EventRegistry

    registry = EventRegistry(Item.decider.events)
    rss_start = _rss_mib()
    store = fabula.open_store(url)
    try:
        subscription = store.subscribe(batch_size=page)
        started = time.perf_counter()
        count = 0
        rss_first = peak = 0.0
        samples: list[float] = []
        while batch := subscription.next_batch(timeout=1.0):
            decode_records(registry, batch)
            count += len(batch)
            rss = _rss_mib()
            if not rss_first:
                rss_first = rss
            peak = max(peak, rss)
            samples.append(rss)
        seconds = time.perf_counter() - started
        subscription.close()
    finally:
        store.close()
    half = samples[len(samples) // 2] if samples else rss_first
    return {
        "events": count,
        "seconds": seconds,
        "pages": len(samples),
        "rss_start_mib": rss_start,
        "rss_first_page_mib": rss_first,
        "rss_half_mib": half,
        "rss_peak_mib": peak,
        "rss_end_mib": samples[-1] if samples else rss_first,
        "growth_mib": peak - rss_first,
        "growth_second_half_mib": peak - half,
    }


def _child(*args: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.rss", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        msg = f"benchmarks.rss {args[0]} failed: {done.stderr.strip().splitlines()[-1:]}"
        raise RuntimeError(msg)
    return done.stdout


def measure(
    backend: Backend,
    *,
    events: int,
    page: int = 500,
    limit_mib: float = 64.0,
    pg_url: str = DEFAULT_PG_URL,
) -> dict[str, Any]:
    """Write ``events`` events to fresh storage, catch up on them in a subprocess; report RSS."""
    with fresh(backend, pg_url=pg_url) as storage:
        _child("_write", storage.url, str(events))
        found: dict[str, Any] = json.loads(_child("_read", storage.url, str(page)))
    found.update(
        backend=backend,
        limit_mib=limit_mib,
        bounded=found["events"] == events and found["growth_mib"] <= limit_mib,
    )
    return found


def main(argv: list[str] | None = None) -> None:
    """Measure from the command line, or act as one of the two subprocesses."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "_write":
        _write(args[1], int(args[2]))
        return
    if args and args[0] == "_read":
        print(json.dumps(_read(args[1], int(args[2]))))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rss", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--limit-mib", type=float, default=64.0)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    options = parser.parse_args(args)
    result = measure(
        options.backend, events=options.events, limit_mib=options.limit_mib, pg_url=options.pg_url
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
