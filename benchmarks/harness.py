"""Run workloads for several systems, interleaved, on fresh storage; collect measurements.

Rules (from BENCHMARKS.md):
1. Every run gets fresh storage (``storage.fresh``) and only ``ctx.timer()`` is timed.
2. Inside each repetition the systems run one after the other on the same workload, in
   an order rotated per repetition, so slow drifts of the machine hit all of them alike.
3. A run that raises is recorded with its error and the suite goes on; one that failed
   because the shared server had no connection left is redone after a pause.
"""

from __future__ import annotations

import gc
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks.storage import DEFAULT_PG_URL, Storage, fresh
from benchmarks.workloads import Backend, Workload

__all__ = ["Ctx", "Measurement", "Runner", "System", "run_suite"]

ATTEMPTS = 3
"""Runs of one workload by one system when the server refuses connections (then it fails)."""
RETRY_PAUSE = 10.0
_NOT_OUR_FAULT = ("too many clients",)
"""Errors from a shared server's limits, not from the system measured: the run is redone."""

Runner = Callable[["Ctx"], None]
"""Runs one workload for one system: setup, then the timed phase in ``ctx.timer()``."""


@dataclass
class Ctx:
    """What a workload run gets: its sizes and storage, the timer, and where to put checks.

    Attributes:
        workload: the workload.
        backend: ``postgres`` or ``sqlite``.
        storage: the fresh database or file.
        sizes: the workload's parameters at the run's scale.
        info: values to report beside the rate (mechanism, checks, conflicts...).
        problems: failed verifications; a run with problems is flagged in the report.
        elapsed: seconds spent in ``timer()``.
    """

    workload: Workload
    backend: Backend
    storage: Storage
    sizes: dict[str, int]
    info: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    elapsed: float | None = None

    @contextmanager
    def timer(self) -> Iterator[None]:
        """Time the measured phase (once per run); garbage from the setup is collected first."""
        if self.elapsed is not None:
            msg = "a run is timed once"
            raise RuntimeError(msg)
        gc.collect()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.elapsed = time.perf_counter() - start

    def check(self, name: str, value: object, expected: object) -> None:
        """Report ``name = value``; record a problem if it is not ``expected``."""
        self.info[name] = value
        if value != expected:
            self.problems.append(f"{name}={value!r}, expected {expected!r}")


@dataclass(frozen=True, slots=True)
class System:
    """A system under test: its name and its runner per backend and workload kind."""

    name: str
    runners: Mapping[Backend, Mapping[str, Runner]]

    def runner(self, kind: str, backend: Backend) -> Runner | None:
        """The runner of a workload kind on a backend, if this system implements it."""
        return self.runners.get(backend, {}).get(kind)


@dataclass(frozen=True, slots=True)
class Measurement:
    """One timed run of one workload by one system."""

    backend: str
    workload: str
    system: str
    rep: int
    unit: str
    units: int
    seconds: float
    rate: float
    sizes: dict[str, int]
    info: dict[str, Any]
    problems: tuple[str, ...] = ()
    error: str = ""


def _rotated(items: Sequence[System], by: int) -> list[System]:
    if not items:
        return []
    by %= len(items)
    return [*items[by:], *items[:by]]


def _attempt(
    runner: Runner, workload: Workload, backend: Backend, sizes: dict[str, int], pg_url: str
) -> tuple[Ctx, str]:
    """Run once on fresh storage; return the context and the error (``""`` if none)."""
    error = ""
    with fresh(backend, pg_url=pg_url) as storage:
        ctx = Ctx(workload, backend, storage, sizes)
        try:
            runner(ctx)
            if ctx.elapsed is None:
                error = "the runner never entered ctx.timer()"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            traceback.print_exc(file=sys.stderr)
    return ctx, error


def run_one(
    system: System,
    workload: Workload,
    backend: Backend,
    *,
    scale: float,
    rep: int,
    pg_url: str = DEFAULT_PG_URL,
) -> Measurement:
    """Run one workload once for one system on fresh storage."""
    runner = system.runner(workload.kind, backend)
    assert runner is not None
    sizes = workload.sized(scale)
    units = workload.units(sizes)
    ctx, error = _attempt(runner, workload, backend, sizes, pg_url)
    for _ in range(ATTEMPTS - 1):
        if not any(sign in error for sign in _NOT_OUR_FAULT):
            break
        print(f"retrying {workload.name} / {system.name}: {error}", file=sys.stderr)
        time.sleep(RETRY_PAUSE)
        ctx, error = _attempt(runner, workload, backend, sizes, pg_url)
    seconds = ctx.elapsed or 0.0
    return Measurement(
        backend=backend,
        workload=workload.name,
        system=system.name,
        rep=rep,
        unit=workload.unit,
        units=units,
        seconds=seconds,
        rate=units / seconds if seconds > 0 and not error else 0.0,
        sizes=sizes,
        info=ctx.info,
        problems=tuple(ctx.problems),
        error=error,
    )


def run_suite(
    *,
    backends: Sequence[Backend],
    workloads: Sequence[Workload],
    systems: Sequence[System],
    repeat: int,
    scale: float,
    pg_url: str = DEFAULT_PG_URL,
    on_result: Callable[[Measurement], None] | None = None,
) -> list[Measurement]:
    """Run every workload ``repeat`` times for every system that implements it, interleaved."""
    results: list[Measurement] = []
    for rep in range(1, repeat + 1):
        for backend in backends:
            for workload in workloads:
                if backend not in workload.backends:
                    continue
                able = [s for s in systems if s.runner(workload.kind, backend) is not None]
                for system in _rotated(able, rep - 1):
                    result = run_one(system, workload, backend, scale=scale, rep=rep, pg_url=pg_url)
                    results.append(result)
                    if on_result is not None:
                        on_result(result)
    return results
