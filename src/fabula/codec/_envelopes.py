"""Between typed events and store records: encode new events, decode stored ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from fabula._errors import CodecError
from fabula._ids import uuid7
from fabula.codec._personal import seal_payload
from fabula.codec._registry import EventRegistry, encode_metadata
from fabula.domain import JSONValue, Recorded, recorded
from fabula.store import NewEvent, StoredEvent

__all__ = ["decode_recorded", "decode_records", "encode_new"]

_metadata_decoder = msgspec.json.Decoder(dict[str, Any])


def encode_new(
    registry: EventRegistry,
    events: Sequence[object],
    *,
    metadata: Mapping[str, JSONValue] | None,
    causation_id: UUID | None,
    correlation_id: UUID | None,
    keys: Mapping[str, bytes] | None = None,
) -> list[NewEvent]:
    """Encode typed events as records to append, each with a fresh UUIDv7.

    Personal fields are sealed with their subject's key from ``keys``
    (``Keyring.keys_for`` gives them).

    Raises:
        CodecError: an event or the metadata cannot be written as JSON that reads back
            as it was (``InvalidMetadata`` when the metadata is not a mapping).
    """
    meta = encode_metadata(metadata)
    records = []
    for value in events:
        name, schema_version, data = registry.encode(value)
        plan = registry.personal_fields(type(value))
        if plan:
            data = seal_payload(plan, data, keys or {})
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
    except (msgspec.DecodeError, RecursionError) as exc:
        msg = f"cannot decode the metadata of event {record.type!r}: {exc}"
        raise CodecError(
            msg, stream_id=record.stream_id, version=record.version, position=record.position
        ) from exc
    return _envelope(record, event, metadata)


def _envelope(record: StoredEvent, event: object, metadata: Mapping[str, Any]) -> Recorded[Any]:
    return recorded(
        event,
        record.stream_id,
        record.version,
        record.position,
        record.event_id,
        record.type,
        record.recorded_at,
        record.causation_id,
        record.correlation_id,
        metadata,
    )


def decode_records(
    registry: EventRegistry, records: Sequence[StoredEvent], /
) -> list[Recorded[Any]]:
    """Decode a page of stored records into typed ``Recorded`` envelopes, in order.

    For readers of the log (``store.read_all``, ``store.subscribe``): each event comes
    out as the repository would give it.

    The lookups are done once per page, not per event. A record the fast path cannot
    take (an older schema version, an unknown type, metadata, a payload that fails) goes
    through ``decode_recorded``, which upcasts, or raises the ``CodecError`` naming it.
    """
    decoders = registry.current_decoders()
    decoded: list[Recorded[Any]] = []
    append = decoded.append
    for record in records:
        decode = decoders.get((record.type, record.schema_version))
        if decode is None or record.metadata != "{}":
            append(decode_recorded(registry, record))
            continue
        try:
            event = decode(record.data)
        except Exception:
            append(decode_recorded(registry, record))
            continue
        append(_envelope(record, event, {}))
    return decoded
