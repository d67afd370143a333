"""``Loaded``: what a repository's ``load`` returns, shared by the sync and async repository."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Loaded"]

StateT = TypeVar("StateT")


@dataclass(frozen=True, slots=True)
class Loaded(Generic[StateT]):
    """A stream's state at a version, and the snapshot version it started from (if any)."""

    stream_id: str
    state: StateT
    version: int
    snapshot_version: int | None = None
