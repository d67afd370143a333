"""Test data for the conformance checks: unique names and small JSON events.

Every check writes under names no other check uses, so checks need not start from an
empty store: a backend may run the whole suite against one database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from fabula.store import ImportedEvent, NewEvent, StoredEvent

__all__ = [
    "event_ids",
    "imported_event",
    "new_events",
    "other_contents",
    "positions",
    "unique_category",
    "unique_stream",
    "unique_subjects",
    "versions",
]


def unique_category() -> str:
    """Return a category name (letters and digits, no ``-``) that no other check uses."""
    return f"c{uuid.uuid4().hex[:16]}"


def unique_stream(category: str | None = None) -> str:
    """Return a new stream id, in ``category`` if given, else in a category of its own."""
    return f"{category or unique_category()}-{uuid.uuid4().hex[:8]}"


def new_events(
    count: int,
    /,
    *,
    event_type: str = "Happened",
    causation_id: uuid.UUID | None = None,
) -> list[NewEvent]:
    """Return ``count`` new events with fresh ids and payloads ``{"n": 1}``, ``{"n": 2}``..."""
    return [
        NewEvent(
            event_id=uuid.uuid4(),
            type=event_type,
            data=f'{{"n": {n}}}',
            causation_id=causation_id,
        )
        for n in range(1, count + 1)
    ]


def event_ids(events: Sequence[NewEvent | StoredEvent], /) -> list[uuid.UUID]:
    """Return the events' ids, in order."""
    return [item.event_id for item in events]


def versions(events: Sequence[StoredEvent], /) -> list[int]:
    """Return the stored events' stream versions, in order."""
    return [item.version for item in events]


def positions(events: Sequence[StoredEvent], /) -> list[int]:
    """Return the stored events' global positions, in order."""
    return [item.position for item in events]


def other_contents(event: NewEvent, /) -> list[tuple[str, NewEvent]]:
    """Return ``event`` changed in one content field at a time, each named by its field."""
    return [
        ("type", msgspec.structs.replace(event, type=f"{event.type}Changed")),
        ("data", msgspec.structs.replace(event, data='{"changed": true}')),
        ("metadata", msgspec.structs.replace(event, metadata='{"changed": true}')),
        ("schema_version", msgspec.structs.replace(event, schema_version=event.schema_version + 1)),
        ("causation_id", msgspec.structs.replace(event, causation_id=uuid.uuid4())),
        ("correlation_id", msgspec.structs.replace(event, correlation_id=uuid.uuid4())),
    ]


def imported_event(stream_id: str, version: int, **changes: Any) -> ImportedEvent:
    """An event to import into ``stream_id`` at ``version`` (a new id unless changed)."""
    fields: dict[str, Any] = {
        "stream_id": stream_id,
        "version": version,
        "event_id": uuid.uuid4(),
        "type": "Imported",
        "data": f'{{"v": {version}}}',
    }
    return ImportedEvent(**{**fields, **changes})


def unique_subjects(count: int) -> list[str]:
    """Return ``count`` new personal-data subject ids (for the key-table checks)."""
    return [f"conformance-{uuid.uuid4().hex}" for _ in range(count)]
