"""The workloads of BENCHMARKS.md: names, default sizes, units, and how ``--scale`` shrinks them.

A workload has a *kind* (what a system implements: ``w2_update``) and parameters (the
history length, snapshots on or off). Only counts scale (commands, streams, threads'
work); shapes do not (history length, batch and page size, thread count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = ["BACKENDS", "WORKLOADS", "Backend", "Workload", "by_name"]

Backend: TypeAlias = Literal["postgres", "sqlite"]
BACKENDS: tuple[Backend, ...] = ("postgres", "sqlite")


@dataclass(frozen=True, slots=True)
class Workload:
    """One benchmark workload.

    Attributes:
        name: its name in reports (``w2_update_h100_snap``).
        kind: the function a system implements for it (``w2_update``).
        params: default sizes and switches.
        unit: what the rate counts (``commands`` or ``events``).
        scaled: the parameters ``--scale`` multiplies.
        backends: the backends it runs on.
    """

    name: str
    kind: str
    params: dict[str, int]
    unit: str
    scaled: tuple[str, ...]
    backends: tuple[Backend, ...] = BACKENDS
    minimum: dict[str, int] = field(default_factory=dict)

    def sized(self, scale: float) -> dict[str, int]:
        """Return the parameters with the counts multiplied by ``scale`` (at least 1)."""
        sizes = dict(self.params)
        for key in self.scaled:
            sizes[key] = max(self.minimum.get(key, 1), round(sizes[key] * scale))
        return sizes

    def units(self, sizes: dict[str, int]) -> int:
        """How many units (commands or events) the timed phase handles."""
        if self.kind in ("w1_create", "w1_create_batched"):
            return sizes["n"]
        if self.kind == "w2_update":
            return sizes["k"]
        if self.kind.startswith(("w3_", "w4_")):
            return sizes["streams"] * sizes["events_per_stream"]
        return sizes["threads"] * sizes["per_thread"]


def _w2(history: int, k: int, *, snapshots: bool) -> Workload:
    suffix = "_snap" if snapshots else ""
    return Workload(
        name=f"w2_update_h{history}{suffix}",
        kind="w2_update",
        params={"k": k, "history": history, "snapshots": int(snapshots), "interval": 100},
        unit="commands",
        scaled=("k",),
    )


WORKLOADS: tuple[Workload, ...] = (
    Workload("w1_create", "w1_create", {"n": 5000}, "commands", ("n",)),
    Workload(
        "w1_create_batched",
        "w1_create_batched",
        {"n": 20000, "batch": 100},
        "events",
        ("n",),
        minimum={"n": 100},
    ),
    _w2(10, 2000, snapshots=False),
    _w2(10, 2000, snapshots=True),
    _w2(100, 1000, snapshots=False),
    _w2(100, 1000, snapshots=True),
    _w2(1000, 200, snapshots=False),
    _w2(1000, 200, snapshots=True),
    Workload(
        "w3_catchup",
        "w3_catchup",
        {"streams": 20000, "events_per_stream": 10, "page": 500},
        "events",
        ("streams",),
    ),
    Workload(
        "w4_projection",
        "w4_projection",
        {"streams": 3000, "events_per_stream": 10, "page": 500},
        "events",
        ("streams",),
    ),
    Workload(
        "w4_projection_each_handler",
        "w4_projection_each_handler",
        {"streams": 3000, "events_per_stream": 10, "page": 500},
        "events",
        ("streams",),
    ),
    Workload(
        "w4_projection_per_event",
        "w4_projection_per_event",
        {"streams": 3000, "events_per_stream": 10, "page": 500},
        "events",
        ("streams",),
    ),
    Workload(
        "w5_concurrent_create",
        "w5_concurrent_create",
        {"threads": 8, "per_thread": 500, "page": 500},
        "commands",
        ("per_thread",),
    ),
    Workload(
        "w5_concurrent_create_locked",
        "w5_concurrent_create_locked",
        {"threads": 8, "per_thread": 500, "page": 500},
        "commands",
        ("per_thread",),
        backends=("postgres",),
    ),
    Workload(
        "w5_contended_update",
        "w5_contended_update",
        {"threads": 8, "per_thread": 50},
        "commands",
        ("per_thread",),
    ),
)


def by_name(names: str) -> list[Workload]:
    """Select workloads by comma-separated names or prefixes (``w2`` selects every W2)."""
    if names in ("", "all"):
        return list(WORKLOADS)
    chosen: list[Workload] = []
    for wanted in (part.strip() for part in names.split(",")):
        matches = [w for w in WORKLOADS if w.name == wanted] or [
            w for w in WORKLOADS if w.name.startswith(wanted)
        ]
        if not matches:
            known = ", ".join(w.name for w in WORKLOADS)
            msg = f"unknown workload {wanted!r}; known: {known}"
            raise SystemExit(msg)
        chosen.extend(w for w in matches if w not in chosen)
    return chosen
