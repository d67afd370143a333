"""``decode_records``: a page of stored records into typed envelopes, as ``decode_recorded``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from fabula import CodecError, EventRegistry, Recorded, UnknownEventType, event
from fabula.app import decode_records
from fabula.codec import decode_recorded
from fabula.domain._envelope import recorded
from fabula.store import StoredEvent

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@event("note_added", version=2)
@dataclass(frozen=True)
class NoteAdded:
    text: str
    pinned: bool


def _registry() -> EventRegistry:
    registry = EventRegistry([NoteAdded])

    @registry.upcaster("note_added", from_version=1)
    def v1_to_v2(old: dict[str, object]) -> dict[str, object]:
        return {"text": old["text"], "pinned": False}

    return registry


def _record(position: int, data: str, **fields: object) -> StoredEvent:
    values: dict[str, object] = {
        "position": position,
        "stream_id": "note-1",
        "version": position,
        "event_id": uuid.UUID(int=position),
        "type": "note_added",
        "data": data,
        "schema_version": 2,
        "metadata": "{}",
        "causation_id": None,
        "correlation_id": None,
        "recorded_at": AT,
    }
    values.update(fields)
    return StoredEvent(**values)  # type: ignore[arg-type]


def test_each_record_decodes_as_decode_recorded_does() -> None:
    registry = _registry()
    records = [
        _record(1, '{"text": "a", "pinned": true}'),
        _record(2, '{"text": "old"}', schema_version=1),  # upcast
        _record(3, '{"text": "c", "pinned": false}', metadata='{"user": "ada"}'),
        _record(4, '{"text": "d", "pinned": true}', causation_id=uuid.UUID(int=9)),
    ]
    decoded = decode_records(registry, records)
    assert decoded == [decode_recorded(registry, record) for record in records]
    assert [r.event for r in decoded] == [
        NoteAdded("a", True),
        NoteAdded("old", False),
        NoteAdded("c", False),
        NoteAdded("d", True),
    ]
    assert decoded[2].metadata == {"user": "ada"}
    assert decoded[3].causation_id == uuid.UUID(int=9)
    assert decode_records(registry, []) == []


def test_a_bad_record_names_its_coordinates() -> None:
    registry = _registry()
    good = _record(1, '{"text": "a", "pinned": true}')
    with pytest.raises(CodecError, match="position 2") as caught:
        decode_records(registry, [good, _record(2, '{"text": 1}')])
    assert (caught.value.stream_id, caught.value.version) == ("note-1", 2)
    with pytest.raises(UnknownEventType, match="position 3"):
        decode_records(registry, [good, _record(3, "{}", type="nope")])


def test_the_fast_envelope_equals_the_constructed_one_and_stays_frozen() -> None:
    fields: dict[str, object] = {
        "event": NoteAdded("a", True),
        "stream_id": "note-1",
        "version": 1,
        "position": 7,
        "event_id": uuid.UUID(int=1),
        "type": "note_added",
        "recorded_at": AT,
        "causation_id": None,
        "correlation_id": uuid.UUID(int=2),
        "metadata": {"k": 1},
    }
    fast = recorded(**fields)  # type: ignore[arg-type]
    built = Recorded(**fields)  # type: ignore[arg-type]
    assert fast == built
    assert repr(fast) == repr(built)
    assert type(fast) is Recorded
    with pytest.raises(AttributeError):
        fast.version = 2  # type: ignore[misc]
