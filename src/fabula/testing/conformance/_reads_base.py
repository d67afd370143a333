"""Order check shared by both twins of the read checks."""

from __future__ import annotations

from fabula.store import StoredEvent
from fabula.testing.conformance._events import (
    positions,
)
from fabula.testing.conformance._expect import expect


def _expect_increasing(events: list[StoredEvent], what: str) -> None:
    found = positions(events)
    expect(found == sorted(set(found)), f"{what}: positions not strictly increasing: {found}")
