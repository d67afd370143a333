"""The shared re-append rule: only the stored batch, with its content, is deduplicated."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
import pytest

from fabula import DuplicateEvent
from fabula.store import AppendResult, NewEvent, StoredEvent
from fabula.store._dedupe import replayed_append


def _stored(event: NewEvent, version: int) -> StoredEvent:
    return StoredEvent(
        position=version * 10,
        stream_id="s-1",
        version=version,
        event_id=event.event_id,
        type=event.type,
        data=event.data,
        schema_version=event.schema_version,
        metadata=event.metadata,
        causation_id=event.causation_id,
        correlation_id=event.correlation_id,
        recorded_at=datetime.now(UTC),
    )


def test_an_identical_reappend_is_deduplicated_and_other_content_names_the_fields():
    batch = [NewEvent(event_id=uuid.uuid4(), type="T", data=f'{{"n": {n}}}') for n in (1, 2)]
    stored = [_stored(e, v) for v, e in enumerate(batch, 1)]
    assert replayed_append("s-1", batch, stored) == AppendResult(
        "s-1", 2, (10, 20), deduplicated=True
    )
    changed = msgspec.structs.replace(batch[1], data="{}", metadata='{"a": 1}')
    with pytest.raises(DuplicateEvent, match="with another data, metadata") as caught:
        replayed_append("s-1", [batch[0], changed], stored)
    assert caught.value.differs == ("data", "metadata")
    assert caught.value.event_id == batch[1].event_id
