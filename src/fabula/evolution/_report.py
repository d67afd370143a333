"""The report of ``check``: problems grouped by kind and type, with counts and positions.

Memory stays bounded whatever the store's size: a group keeps its count, its first
error and at most ``first`` coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from fabula._errors import CodecError, MissingUpcaster, UnknownEventType

__all__ = ["CheckReport", "Problem", "ProblemKind", "Progress", "Where", "kind_of"]

Progress: TypeAlias = Callable[[int, int], None]
"""``progress(events done, head)``: called after each page of the log."""

ProblemKind: TypeAlias = Literal["unknown_type", "missing_upcaster", "decode_failure", "snapshot"]
"""What went wrong: no class for the name, a gap in the upcasters, a payload that fails
(upcaster or decoder), or a snapshot state that does not decode."""


@dataclass(frozen=True, slots=True)
class Where:
    """The coordinates of a stored event (``position`` is ``None`` for a snapshot)."""

    stream_id: str
    version: int
    position: int | None


@dataclass(slots=True)
class Problem:
    """Every failure of one kind on one stored type: how many, the first error, where."""

    kind: ProblemKind
    type: str
    count: int = 0
    error: str = ""
    first: list[Where] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return this group as JSON-able values."""
        return {
            "kind": self.kind,
            "type": self.type,
            "count": self.count,
            "error": self.error,
            "first": [
                {"stream_id": w.stream_id, "version": w.version, "position": w.position}
                for w in self.first
            ],
        }


def kind_of(error: CodecError) -> ProblemKind:
    """Classify a decoding error."""
    if isinstance(error, UnknownEventType):
        return "unknown_type"
    if isinstance(error, MissingUpcaster):
        return "missing_upcaster"
    return "decode_failure"


@dataclass(slots=True)
class CheckReport:
    """What ``check`` found: counts, and the problems grouped by kind and type.

    Attributes:
        events: stored events read.
        decoded: current events they decoded into (a split counts each part).
        snapshots: snapshots of the given deciders that decode.
        snapshots_replayed: snapshots a repository would ignore (an older state version
            with no upcaster, or a newer one): not a failure, the stream replays.
        problems: failures, one group per kind and stored type.
    """

    events: int = 0
    decoded: int = 0
    snapshots: int = 0
    snapshots_replayed: int = 0
    problems: dict[tuple[str, str], Problem] = field(default_factory=dict)
    first: int = 3

    @property
    def ok(self) -> bool:
        """Whether everything decoded."""
        return not self.problems

    @property
    def failures(self) -> int:
        """How many events and snapshots failed."""
        return sum(p.count for p in self.problems.values())

    def add(self, kind: ProblemKind, type_name: str, where: Where, error: str) -> None:
        """Count one failure (keeping only the first few coordinates)."""
        problem = self.problems.get((kind, type_name))
        if problem is None:
            problem = self.problems[(kind, type_name)] = Problem(kind, type_name, error=error)
        problem.count += 1
        if len(problem.first) < self.first:
            problem.first.append(where)

    def as_json(self) -> dict[str, Any]:
        """Return the report as JSON-able values (what ``fabula check --json`` prints)."""
        return {
            "ok": self.ok,
            "events": self.events,
            "decoded": self.decoded,
            "snapshots": self.snapshots,
            "snapshots_replayed": self.snapshots_replayed,
            "failures": self.failures,
            "problems": [p.as_json() for p in self.problems.values()],
        }

    def lines(self) -> list[str]:
        """Return the report as text lines."""
        head = (
            f"{self.events} events ({self.decoded} decoded), {self.snapshots} snapshots "
            f"({self.snapshots_replayed} would replay): "
        )
        if self.ok:
            return [head + "everything decodes"]
        out = [head + f"{self.failures} failed"]
        for p in self.problems.values():
            where = ", ".join(
                f"{w.stream_id}@{w.version}" + (f" (position {w.position})" if w.position else "")
                for w in p.first
            )
            out.append(f"  {p.kind} {p.type}: {p.count}, first at {where}")
            out.append(f"    {p.error}")
        return out
