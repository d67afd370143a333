"""Shared append rules: idempotent re-append detection, used by every backend.

A re-append is deduplicated only when it is the stored batch again: the same event ids,
in the same order, to the same stream, with the same content (type, data, metadata,
schema version, causation and correlation ids). Anything else that reuses a stored id
raises ``DuplicateEvent``: new content is never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Sequence

from fabula._errors import DuplicateEvent
from fabula.store._records import AppendResult, NewEvent, StoredEvent

__all__ = ["content_differences", "replayed_append"]

_CONTENT = ("type", "data", "metadata", "schema_version", "causation_id", "correlation_id")
"""The fields of an event that a re-append must repeat exactly."""


def content_differences(new: NewEvent, stored: StoredEvent) -> list[str]:
    """Name the fields of ``new`` whose value differs from the stored event's."""
    return [name for name in _CONTENT if getattr(new, name) != getattr(stored, name)]


def replayed_append(
    stream_id: str, events: Sequence[NewEvent], stored: Sequence[StoredEvent]
) -> AppendResult | None:
    """Decide what to do when some of ``events`` may already be stored.

    ``stored`` holds the stored events that share an id with ``events``. Returns the
    original result if ``events`` is exactly a batch that was stored before (a retry),
    ``None`` if none of the ids is stored, and raises ``DuplicateEvent`` otherwise.
    """
    if not stored:
        return None
    by_id = {item.event_id: item for item in stored}
    found = [by_id.get(item.event_id) for item in events]
    first_missing = next((e for e, s in zip(events, found, strict=True) if s is None), None)
    if first_missing is not None:
        clash = next(s for s in found if s is not None)
        raise DuplicateEvent(clash.event_id, stream_id)
    hits = [s for s in found if s is not None]
    for item in hits:
        if item.stream_id != stream_id:
            raise DuplicateEvent(item.event_id, stream_id)
    versions = [item.version for item in hits]
    if versions != list(range(versions[0], versions[0] + len(versions))):
        raise DuplicateEvent(hits[0].event_id, stream_id)
    for new, old in zip(events, hits, strict=True):
        differences = content_differences(new, old)
        if differences:
            raise DuplicateEvent(old.event_id, stream_id, differs=differences)
    return AppendResult(
        stream_id, versions[-1], tuple(item.position for item in hits), deduplicated=True
    )
