"""Summaries of the runs: per backend, workload and system, the median and the min-max range."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.harness import Measurement

__all__ = ["Summary", "find", "summarize"]


@dataclass(frozen=True, slots=True)
class Summary:
    """The runs of one workload by one system on one backend."""

    backend: str
    workload: str
    system: str
    unit: str
    median: float
    low: float
    high: float
    runs: int
    errors: tuple[str, ...]
    problems: tuple[str, ...]
    info: dict[str, Any]
    info_max: dict[str, Any]


def summarize(results: Iterable[Measurement]) -> list[Summary]:
    """Group runs by backend, workload and system; medians over the successful runs."""
    groups: dict[tuple[str, str, str], list[Measurement]] = {}
    for result in results:
        groups.setdefault((result.backend, result.workload, result.system), []).append(result)
    summaries = []
    for (backend, workload, system), runs in groups.items():
        good = [r for r in runs if not r.error]
        rates = [r.rate for r in good]
        median_run = sorted(good, key=lambda r: r.rate)[len(good) // 2] if good else runs[0]
        numbers: dict[str, Any] = {}
        for run in good:
            for key, value in run.info.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    numbers[key] = max(numbers.get(key, value), value)
        summaries.append(
            Summary(
                backend=backend,
                workload=workload,
                system=system,
                unit=runs[0].unit,
                median=statistics.median(rates) if rates else 0.0,
                low=min(rates, default=0.0),
                high=max(rates, default=0.0),
                runs=len(good),
                errors=tuple(r.error for r in runs if r.error),
                problems=tuple(p for r in runs for p in r.problems),
                info=dict(median_run.info),
                info_max=numbers,
            )
        )
    return summaries


def find(summaries: Sequence[Summary], backend: str, workload: str, system: str) -> Summary | None:
    """The summary of one backend, workload and system, if it ran."""
    for summary in summaries:
        if (summary.backend, summary.workload, summary.system) == (backend, workload, system):
            return summary
    return None
