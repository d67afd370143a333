"""What the fault tests share with their generated sync twin (tools/unasync.py)."""

from __future__ import annotations

from typing import Any

from fabula.read import Projection

from .domain import Created


def sync_failing(calls: list[int]) -> Projection:
    failing = Projection("failing")

    @failing.on(Created)
    def created(tx: Any, event: Any) -> None:
        calls.append(event.position)
        raise RuntimeError(f"cannot handle {event.stream_id}")

    return failing
