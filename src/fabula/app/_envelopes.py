"""Between typed events and store records: encode new events, decode stored ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from fabula._errors import CodecError
from fabula.app._ids import uuid7
from fabula.codec import EventRegistry, encode_json
from fabula.domain import JSONValue, Recorded
from fabula.store import NewEvent, StoredEvent

__all__ = ["decode_recorded", "encode_new"]

_metadata_decoder = msgspec.json.Decoder(dict[str, Any])


def encode_new(
    registry: EventRegistry,
    events: Sequence[object],
    *,
    metadata: Mapping[str, JSONValue] | None,
    causation_id: UUID | None,
    correlation_id: UUID | None,
) -> list[NewEvent]:
    """Encode typed events as records to append, each with a fresh UUIDv7."""
    meta = encode_json(metadata) if metadata else "{}"
    records = []
    for value in events:
        name, schema_version, data = registry.encode(value)
        records.append(
            NewEvent(
                event_id=uuid7(),
                type=name,
                data=data,
                schema_version=schema_version,
                metadata=meta,
                causation_id=causation_id,
                correlation_id=correlation_id,
            )
        )
    return records


def decode_recorded(registry: EventRegistry, record: StoredEvent) -> Recorded[Any]:
    """Decode a stored record into a typed ``Recorded`` envelope.

    Raises:
        CodecError: the type is unknown or the payload does not decode; the error names
            the record's stream, version and position.
    """
    event = registry.decode(
        record.type,
        record.schema_version,
        record.data,
        stream_id=record.stream_id,
        version=record.version,
        position=record.position,
    )
    try:
        metadata = _metadata_decoder.decode(record.metadata) if record.metadata != "{}" else {}
    except msgspec.DecodeError as exc:
        msg = f"cannot decode the metadata of event {record.type!r}: {exc}"
        raise CodecError(
            msg, stream_id=record.stream_id, version=record.version, position=record.position
        ) from exc
    return Recorded(
        event=event,
        stream_id=record.stream_id,
        version=record.version,
        position=record.position,
        event_id=record.event_id,
        type=record.type,
        recorded_at=record.recorded_at,
        causation_id=record.causation_id,
        correlation_id=record.correlation_id,
        metadata=metadata,
    )
