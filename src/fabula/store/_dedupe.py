"""Shared append rules: idempotent re-append detection, used by every backend."""

from __future__ import annotations

from collections.abc import Sequence

from fabula._errors import DuplicateEvent
from fabula.store._records import AppendResult, NewEvent, StoredEvent

__all__ = ["replayed_append"]


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
    return AppendResult(
        stream_id, versions[-1], tuple(item.position for item in hits), deduplicated=True
    )
