"""The issue's targets: ratios of medians of the same run, each against its bound."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.summary import Summary, find

__all__ = ["TARGETS", "Target"]


@dataclass(frozen=True, slots=True)
class Target:
    """One target of the issue: a ratio of two medians (or a worst-case check) vs a bound."""

    label: str
    backend: str
    measure: Callable[[Sequence[Summary]], float | None]
    at_least: float | None = None
    at_most: float | None = None

    def evaluate(self, summaries: Sequence[Summary]) -> tuple[float | None, str]:
        """Return the measured value and ``pass``, ``MISS`` or ``n/a``."""
        value = self.measure(summaries)
        if value is None:
            return None, "n/a"
        ok = (self.at_least is None or value >= self.at_least) and (
            self.at_most is None or value <= self.at_most
        )
        return value, "pass" if ok else "MISS"


def _ratio(
    backend: str, top: tuple[str, str], bottom: tuple[str, str]
) -> Callable[[Sequence[Summary]], float | None]:
    def measure(summaries: Sequence[Summary]) -> float | None:
        a = find(summaries, backend, *top)
        b = find(summaries, backend, *bottom)
        if a is None or b is None or not a.median or not b.median:
            return None
        return a.median / b.median

    return measure


def _worst(
    backend: str, workload: str, system: str, key: str
) -> Callable[[Sequence[Summary]], float | None]:
    def measure(summaries: Sequence[Summary]) -> float | None:
        found = find(summaries, backend, workload, system)
        if found is None or key not in found.info_max:
            return None
        return float(found.info_max[key])

    return measure


def _targets() -> tuple[Target, ...]:
    pg, lite = "postgres", "sqlite"
    items = [
        Target(
            "W1 one writer: fabula >= 0.75 x raw",
            pg,
            _ratio(pg, ("w1_create", "fabula"), ("w1_create", "raw")),
            at_least=0.75,
        ),
        Target(
            "W5a eight writers: fabula >= 0.7 x raw",
            pg,
            _ratio(pg, ("w5_concurrent_create", "fabula"), ("w5_concurrent_create", "raw")),
            at_least=0.7,
        ),
        Target(
            "W5a eight writers: fabula >= 4 x eventsourcing",
            pg,
            _ratio(
                pg, ("w5_concurrent_create", "fabula"), ("w5_concurrent_create", "eventsourcing")
            ),
            at_least=4.0,
        ),
        Target(
            "W5a: events skipped by fabula's tailing reader = 0 (worst run)",
            pg,
            _worst(pg, "w5_concurrent_create", "fabula", "reader_missed"),
            at_most=0.0,
        ),
        Target(
            "SQLite W1: fabula >= 0.8 x raw sqlite3",
            lite,
            _ratio(lite, ("w1_create", "fabula"), ("w1_create", "raw")),
            at_least=0.8,
        ),
    ]
    for backend in (pg, lite):
        items += [
            Target(
                "W2 snapshots: cost(h1000) <= 1.25 x cost(h10) (fabula)",
                backend,
                _ratio(
                    backend,
                    ("w2_update_h10_snap", "fabula"),
                    ("w2_update_h1000_snap", "fabula"),
                ),
                at_most=1.25,
            ),
            Target(
                "W3 catch-up: fabula >= 0.8 x raw",
                backend,
                _ratio(backend, ("w3_catchup", "fabula"), ("w3_catchup", "raw")),
                at_least=0.8,
            ),
            Target(
                "W3 catch-up: fabula >= 1.5 x eventsourcing",
                backend,
                _ratio(backend, ("w3_catchup", "fabula"), ("w3_catchup", "eventsourcing")),
                at_least=1.5,
            ),
            Target(
                "W4 projection: fabula >= 0.5 x raw (per page)",
                backend,
                _ratio(backend, ("w4_projection", "fabula"), ("w4_projection", "raw")),
                at_least=0.5,
            ),
            Target(
                "W4 projection: fabula >= 15 x eventsourcing",
                backend,
                _ratio(backend, ("w4_projection", "fabula"), ("w4_projection", "eventsourcing")),
                at_least=15.0,
            ),
        ]
    return tuple(items)


TARGETS = _targets()
