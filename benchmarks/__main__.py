"""``python -m benchmarks``: run the workloads for every system, interleaved, and report.

Examples::

    python -m benchmarks                                  # everything, print the tables
    python -m benchmarks --scale 0.1 --repeat 1           # a quick look
    python -m benchmarks --backend sqlite --workload w1,w3 --system raw,fabula
    python -m benchmarks --out docs/benchmarks.md --jsonl benchmarks/results.jsonl
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import machine, report, rss
from benchmarks.harness import Measurement, System, run_suite
from benchmarks.storage import DEFAULT_PG_URL
from benchmarks.summary import summarize
from benchmarks.workloads import BACKENDS, Backend, by_name

# system name -> the module holding its RUNNERS_BY_BACKEND (raw has one module per driver)
_SYSTEMS: dict[str, str] = {
    "raw": "",
    "fabula": "benchmarks.fabula_sync",
    "fabula_async": "benchmarks.fabula_async",
    "eventsourcing": "benchmarks.peer",
}


def load_system(name: str) -> System:
    """Import a system's module(s) and return it; a missing library is a clear error."""
    if name not in _SYSTEMS:
        msg = f"unknown system {name!r}; known: {', '.join(_SYSTEMS)}"
        raise SystemExit(msg)
    try:
        if name == "raw":
            pg = importlib.import_module("benchmarks.raw_postgres")
            lite = importlib.import_module("benchmarks.raw_sqlite")
            return System("raw", {"postgres": pg.RUNNERS, "sqlite": lite.RUNNERS})
        module = importlib.import_module(_SYSTEMS[name])
    except ImportError as exc:
        msg = f"system {name!r} cannot be loaded ({exc}); pip install -e '.[dev,bench]'"
        raise SystemExit(msg) from exc
    return System(name, module.RUNNERS_BY_BACKEND)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="fabula vs the raw drivers vs eventsourcing (see docs/benchmarks.md).",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--workload",
        default="all",
        help="comma-separated names or prefixes (w1,w2_update_h100,w5), 'rss' for the "
        "memory check alone; default: all",
    )
    parser.add_argument(
        "--system", default=",".join(_SYSTEMS), help=f"subset of {','.join(_SYSTEMS)}"
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (median of them)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the counts (0.1)")
    parser.add_argument("--out", type=Path, help="write the Markdown into this page")
    parser.add_argument("--jsonl", type=Path, help="write every run as JSON lines here")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="admin URL (creates databases)")
    parser.add_argument(
        "--rss-events",
        type=int,
        help="events for the memory check (default 1,000,000 x scale; 0 skips it)",
    )
    parser.add_argument("--rss-limit-mib", type=float, default=64.0)
    return parser


def _progress(result: Measurement) -> None:
    status = result.error or ("; ".join(result.problems) if result.problems else "ok")
    print(
        f"[rep {result.rep}] {result.backend:8s} {result.workload:28s} {result.system:14s} "
        f"{result.rate:12,.1f} {result.unit}/s  {result.seconds:7.2f} s  {status}",
        file=sys.stderr,
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; print or write the report. Returns the exit status."""
    options = _parser().parse_args(argv)
    backends: list[Backend] = list(BACKENDS) if options.backend == "all" else [options.backend]
    names = [n.strip() for n in options.workload.split(",") if n.strip()]
    want_rss = options.workload == "all" or "rss" in names
    chosen = [n for n in names if n != "rss"]
    workloads = by_name(",".join(chosen)) if chosen or options.workload == "all" else []
    systems = [load_system(n.strip()) for n in options.system.split(",") if n.strip()]
    rss_events = (
        options.rss_events if options.rss_events is not None else round(1_000_000 * options.scale)
    )
    pg_url = options.pg_url if "postgres" in backends else None
    described = machine.describe(pg_url)
    started = time.monotonic()
    results = run_suite(
        backends=backends,
        workloads=workloads,
        systems=systems,
        repeat=options.repeat,
        scale=options.scale,
        pg_url=options.pg_url,
        on_result=_progress,
    )
    memory: list[dict[str, Any]] = []
    if want_rss and rss_events > 0:
        for backend in backends:
            print(f"memory check on {backend}: {rss_events:,} events", file=sys.stderr, flush=True)
            try:
                found = rss.measure(
                    backend,
                    events=rss_events,
                    limit_mib=options.rss_limit_mib,
                    pg_url=options.pg_url,
                )
            except Exception as exc:  # reported in the table, the rest is still written
                found = {"backend": backend, "error": f"{type(exc).__name__}: {exc}"}
            print(f"  {found}", file=sys.stderr, flush=True)
            memory.append(found)
    described["load_after"] = machine.load_average()
    settings = {
        "repeat": options.repeat,
        "scale": options.scale,
        "backends": backends,
        "workloads": [w.name for w in workloads],
        "systems": [s.name for s in systems],
        "minutes": (time.monotonic() - started) / 60,
    }
    summaries = summarize(results)
    text = report.render(summaries, machine=described, settings=settings, rss=memory)
    if options.out is not None:
        report.write_doc(options.out, text)
        print(f"wrote {options.out}", file=sys.stderr)
    else:
        print(text)
    if options.jsonl is not None:
        report.write_jsonl(
            options.jsonl,
            machine=described,
            settings=settings,
            results=results,
            summaries=summaries,
            rss=memory,
        )
        print(f"wrote {options.jsonl}", file=sys.stderr)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
