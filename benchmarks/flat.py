"""Flat costs: W1, W2 (h100) and W3 on a log that already holds N events.

For each backend and each preload size N, a fresh store is preloaded through
``store.import_events`` (the bulk path: 200 streams of 100 events for W2, then streams
of 10 events up to N; ``Created`` + ``Updated`` payloads), then, timed:

* ``w1_create``: ``n1`` commands creating a new stream each (own transaction);
* ``w2_update_h100``: one command on each of the 200 streams of 100 events (read,
  fold, append at 101);
* ``w3_catchup_tail``: the last ``n3`` events of the log read through
  ``store.subscribe(after=...)`` in pages of 500 and decoded (``decode_records``).

Sizes run interleaved by repetition (10k, 1M, 10k, 1M, ...); the report gives medians
and each size's rate relative to the smallest::

    python -m benchmarks.flat --backend all --sizes 10000,1000000 --repeat 3
    python -m benchmarks.flat --backend sqlite --sizes 10000,1000000,10000000 --repeat 1
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import fabula
from benchmarks.fabula_domain import Create, Update
from benchmarks.fabula_setup import WARMUP, event_registry, new_flow
from benchmarks.storage import DEFAULT_PG_URL, fresh
from benchmarks.workloads import BACKENDS, Backend
from fabula._ids import uuid7
from fabula.app import decode_records
from fabula.store import ImportedEvent

__all__ = ["main", "preload", "run_size"]

H100_STREAMS = 200
FILLER_HISTORY = 10
W1_COMMANDS = 500
W3_TAIL = 50_000


def _events(n: int, h100: list[str]) -> Iterator[ImportedEvent]:
    """The preload: the W2 streams first, then filler streams of 10 events, ``n`` in all."""
    written = 0

    def stream(stream_id: str, length: int, index: int) -> Iterator[ImportedEvent]:
        for version in range(1, length + 1):
            data = f'{{"name":"item-{index}","value":0}}' if version == 1 else '{"amount":1}'
            yield ImportedEvent(
                stream_id=stream_id,
                version=version,
                event_id=uuid7(),
                type="Created" if version == 1 else "Updated",
                data=data,
            )

    for index, stream_id in enumerate(h100):
        yield from stream(stream_id, 100, index)
        written += 100
    index = len(h100)
    while written < n:
        length = min(FILLER_HISTORY, n - written)
        yield from stream(str(uuid.uuid4()), length, index)
        written += length
        index += 1


def preload(store: Any, n: int, tail: int) -> tuple[list[str], int, float]:
    """Import ``n`` events; return the W2 stream ids, the position ``tail`` events before
    the end (where the W3 read starts) and the import rate (events/s)."""
    h100 = [str(uuid.uuid4()) for _ in range(min(H100_STREAMS, max(1, n // 200)))]
    events = _events(n, h100)
    started = time.perf_counter()
    head = store.import_events(itertools.islice(events, n - tail), chunk_size=20_000)
    rest = store.import_events(events, chunk_size=20_000)
    rate = (head.events + rest.events) / (time.perf_counter() - started)
    return h100, head.last_position or 0, rate


def run_size(url: str, n: int) -> dict[str, float]:
    """Preload ``n`` events into the store at ``url``, then time W1, W2 h100 and W3 tail."""
    rates: dict[str, float] = {}
    with fabula.open_store(url) as store:
        h100, tail_start, rates["import"] = preload(store, n, min(W3_TAIL, n))
        flow = new_flow(store)
        dispatch = flow.dispatch
        for index in range(WARMUP):
            dispatch(Create(item_id=str(uuid.uuid4()), name=f"w-{index}"), expected_version=0)
        started = time.perf_counter()
        for index in range(W1_COMMANDS):
            dispatch(Create(item_id=str(uuid.uuid4()), name=f"c-{index}"), expected_version=0)
        rates["w1_create"] = W1_COMMANDS / (time.perf_counter() - started)
        started = time.perf_counter()
        for stream_id in h100:
            dispatch(Update(item_id=stream_id))
        rates["w2_update_h100"] = len(h100) / (time.perf_counter() - started)
        rates["w3_catchup_tail"] = _tail_rate(store, tail_start)
    return rates


def _tail_rate(store: fabula.EventStore, after: int) -> float:
    """Read and decode every event after ``after`` through a subscription (the W3 tail)."""
    registry = event_registry()
    count = 0
    started = time.perf_counter()
    with store.subscribe(after=after, batch_size=500) as subscription:
        while True:
            batch = subscription.next_batch(timeout=0)
            if not batch:
                break
            for _ in decode_records(registry, batch):
                pass
            count += len(batch)
    return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Run the flat-cost benchmark and print (or write) its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flat", description=__doc__)
    parser.add_argument("--backend", choices=[*BACKENDS, "all"], default="all")
    parser.add_argument("--sizes", default="10000,1000000", help="preload sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--jsonl", help="append every run as JSON lines here")
    parser.add_argument("--out", help="write the table into this page (between flat markers)")
    args = parser.parse_args(argv)
    backends: list[Backend] = list(BACKENDS) if args.backend == "all" else [args.backend]
    sizes = [int(s) for s in args.sizes.split(",")]
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    for rep in range(args.repeat):
        for backend in backends:
            for n in sizes:
                with fresh(backend, pg_url=args.pg_url) as storage:
                    rates = run_size(storage.url, n)
                runs.setdefault((backend, n), []).append(rates)
                shown = ", ".join(f"{k} {v:,.0f}/s" for k, v in rates.items())
                print(f"[rep {rep + 1}] {backend:8} {n:>10,}  {shown}", flush=True)
                if args.jsonl:
                    with open(args.jsonl, "a", encoding="utf-8") as out:
                        row = {"flat": backend, "events": n, "rep": rep + 1, **rates}
                        out.write(json.dumps(row) + "\n")
    table = report(runs, backends, sizes)
    print(table)
    if args.out:
        _write(args.out, table, args.repeat)
    return 0


START, END = "<!-- flat:start", "<!-- flat:end -->"


def _write(path: str, table: str, repeat: int) -> None:
    """Replace the part of ``path`` between the flat markers with the table."""
    with open(path, encoding="utf-8") as page:
        text = page.read()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    body = (
        f"{START} (generated by python -m benchmarks.flat; do not edit by hand) -->\n"
        f"Run ending {when} (load average {load} on this machine), medians of {repeat} "
        "repetitions; in brackets: the rate relative to the smallest log.\n\n"
        f"{table}\n{END}"
    )
    with open(path, "w", encoding="utf-8") as page:
        page.write(head + body + tail)


def report(
    runs: dict[tuple[str, int], list[dict[str, float]]], backends: list[Backend], sizes: list[int]
) -> str:
    """A Markdown table: median rate per workload and size, and the ratio to the smallest."""
    names = ["import", "w1_create", "w2_update_h100", "w3_catchup_tail"]
    lines = [
        "| backend | events stored | " + " | ".join(f"`{n}`/s" for n in names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for backend in backends:
        base = {k: statistics.median(r[k] for r in runs[(backend, sizes[0])]) for k in names}
        for n in sizes:
            cells = []
            for k in names:
                median = statistics.median(r[k] for r in runs[(backend, n)])
                ratio = "" if n == sizes[0] else f" ({median / base[k]:.2f}x)"
                cells.append(f"{median:,.0f}{ratio}")
            lines.append(f"| {backend} | {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
