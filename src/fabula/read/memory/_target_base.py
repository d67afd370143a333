"""Pure helpers of the in-memory read-model target, shared by both twins."""

from __future__ import annotations

from datetime import UTC, datetime


def _now() -> datetime:
    return datetime.now(UTC)
