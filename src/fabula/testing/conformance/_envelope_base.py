"""Envelope comparison shared by both twins of the envelope checks."""

from __future__ import annotations

from fabula.store import NewEvent, StoredEvent
from fabula.testing.conformance._expect import expect_equal


def _expect_same_envelope(stored: StoredEvent, written: NewEvent, what: str) -> None:
    for field in (
        "event_id",
        "type",
        "schema_version",
        "data",
        "metadata",
        "causation_id",
        "correlation_id",
    ):
        expect_equal(getattr(stored, field), getattr(written, field), f"{what}: {field}")
