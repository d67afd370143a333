"""Snapshot policies: when the repository stores a stream's state after an append.

A policy is any callable ``(version_before, version_after, state_after) -> bool``; the two
classes here cover the common cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from fabula._errors import ConfigurationError

__all__ = ["NEVER", "NeverSnapshot", "SnapshotEvery", "SnapshotPolicy"]

SnapshotPolicy: TypeAlias = Callable[[int, int, Any], bool]
"""Decides, after an append moved a stream from one version to another, whether to snapshot."""


@dataclass(frozen=True, slots=True)
class NeverSnapshot:
    """Never store snapshots (the default)."""

    def __call__(self, before: int, after: int, state: object) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class SnapshotEvery:
    """Store a snapshot each time the stream's version crosses a multiple of ``events``."""

    events: int

    def __post_init__(self) -> None:
        if self.events < 1:
            msg = f"SnapshotEvery needs a positive number of events, not {self.events}"
            raise ConfigurationError(msg)

    def __call__(self, before: int, after: int, state: object) -> bool:
        return after // self.events > before // self.events


NEVER = NeverSnapshot()
