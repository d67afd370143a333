"""What a runner reports to the active telemetry (shared by both runner twins)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from fabula._telemetry import Attributes, Telemetry, carrier_of
from fabula.read._target_async import Step

__all__ = ["LAG_EVERY", "batch_span", "lag_seconds"]

LAG_EVERY = 1.0
"""Seconds between two lag measurements of one runner (counting the lag reads the log)."""


def batch_span(
    telemetry: Telemetry, kind: str, name: str, steps: Sequence[Step], position: int
) -> AbstractContextManager[object]:
    """The span of one projection batch or reaction, linked to the events' own traces."""
    carriers = [c for _, recorded in steps if (c := carrier_of(recorded.metadata))]
    attributes: Attributes = {
        "fabula.consumer": name,
        "fabula.events": len(steps),
        "fabula.position": position,
    }
    return telemetry.span(f"fabula.{kind} {name}", attributes, carriers=carriers)


def lag_seconds(steps: Sequence[Step]) -> float:
    """How old the newest event of a commit is (0 without events)."""
    if not steps:
        return 0.0
    age = datetime.now(UTC) - steps[-1][1].recorded_at
    return max(0.0, age.total_seconds())
