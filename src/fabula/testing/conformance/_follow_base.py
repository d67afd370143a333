"""Delivery comparison shared by both twins of the follow checks."""

from __future__ import annotations

from collections.abc import Sequence

from fabula.store import NewEvent, StoredEvent
from fabula.testing.conformance._events import (
    event_ids,
    positions,
)
from fabula.testing.conformance._expect import expect, expect_equal


def _expect_delivered(found: list[StoredEvent], written: Sequence[NewEvent], what: str) -> None:
    expect_equal(event_ids(found), event_ids(written), f"{what}: event ids delivered")
    found_positions = positions(found)
    expect(
        found_positions == sorted(set(found_positions)),
        f"{what}: positions not strictly increasing: {found_positions}",
    )
