"""Between typed events and store records: encode new events, decode stored ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from fabula._errors import CodecError
from fabula._ids import uuid7
from fabula.codec._personal import seal_payload
from fabula.codec._registry import EventRegistry, encode_metadata
from fabula.domain import JSONValue, Recorded, recorded
from fabula.store import NewEvent, StoredEvent

__all__ = ["decode_parts", "decode_recorded", "decode_records", "encode_new", "merge_lookups"]

_metadata_decoder = msgspec.json.Decoder(dict[str, Any])


def encode_new(
    registry: EventRegistry,
    events: Sequence[object],
    *,
    metadata: Mapping[str, JSONValue] | None,
    causation_id: UUID | None,
    correlation_id: UUID | None,
    keys: Mapping[str, bytes] | None = None,
    stream_id: str | None = None,
) -> list[NewEvent]:
    """Encode typed events as records to append, each with a fresh UUIDv7.

    Personal fields are sealed with their subject's key from ``keys``
    (``Keyring.keys_for`` gives them); ``stream_id``, the stream they are appended to,
    is the subject of fields marked ``Personal(subject=STREAM)``.

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
            data = seal_payload(plan, data, keys or {}, stream_id)
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
        CodecError: the type is unknown, the payload does not decode, or an upcaster
            splits it into other than one event (read it with ``decode_parts``); the
            error names the record's stream, version and position.
    """
    parts = decode_parts(registry, record)
    if len(parts) != 1:
        msg = f"event {record.type!r} splits into {len(parts)} events: use decode_parts"
        raise CodecError(
            msg, stream_id=record.stream_id, version=record.version, position=record.position
        )
    return parts[0]


def decode_parts(
    registry: EventRegistry, record: StoredEvent, /, *, earlier: Iterable[StoredEvent] = ()
) -> list[Recorded[Any]]:
    """Decode a stored record into its current events: one, or the parts of a split or merge.

    Parts share the record's envelope (stream, version, position, id, metadata) and
    carry ``part`` 0, 1, ...; a split into none (a dropped event), or a merge's member
    other than its last, gives ``[]``. When ``record`` ends a merge, ``earlier`` holds the
    group's earlier members (more records are fine: they are looked up by stream and
    version; ``merge_lookups`` tells which a reader must fetch).

    Raises:
        CodecError: the type is unknown, the payload does not decode, or a merge's earlier
            members are missing or not what the merge names; the error names the record's
            stream, version and position.
    """
    return _parts(registry, record, _index(earlier) if registry.merges else {})


def _parts(
    registry: EventRegistry, record: StoredEvent, index: Mapping[tuple[str, int], StoredEvent]
) -> list[Recorded[Any]]:
    found = _earlier_payloads(registry, record, index) if registry.merges else None
    events = registry.decode_all(
        record.type,
        record.schema_version,
        record.data,
        stream_id=record.stream_id,
        version=record.version,
        position=record.position,
        earlier=found,
    )
    metadata = _metadata(registry, record)
    return [_envelope(record, event, metadata, part) for part, event in enumerate(events)]


def merge_lookups(
    registry: EventRegistry, records: Sequence[StoredEvent], /
) -> list[tuple[str, int, int]]:
    """Return the spans a reader must fetch to decode ``records``: ``(stream, from, to)``.

    They are the versions of the earlier members of merges that ``records`` end and do
    not hold (``store.read_stream(stream, from_version=from, to_version=to)``).
    """
    if not registry.merges:
        return []
    held = {(r.stream_id, r.version) for r in records}
    spans = []
    for record in records:
        span = registry.merge_span(record.type, record.version)
        if span is None:
            continue
        first, last = span
        if not all((record.stream_id, v) in held for v in range(first, last + 1)):
            spans.append((record.stream_id, first, last))
    return spans


def _index(records: Iterable[StoredEvent]) -> dict[tuple[str, int], StoredEvent]:
    return {(r.stream_id, r.version): r for r in records}


def _earlier_payloads(
    registry: EventRegistry, record: StoredEvent, index: Mapping[tuple[str, int], StoredEvent]
) -> list[str] | None:
    span = registry.merge_span(record.type, record.version)
    if span is None:
        return None
    names = registry.merge_names(record.type)
    payloads = []
    for offset, version in enumerate(range(span[0], span[1] + 1)):
        member = index.get((record.stream_id, version))
        if member is None or member.type != names[offset]:
            what = "missing" if member is None else f"a {member.type!r}"
            msg = (
                f"event {record.type!r} ends a merge of {list(names)}, but version {version} "
                f"of its stream is {what}, not a {names[offset]!r}"
            )
            raise CodecError(
                msg, stream_id=record.stream_id, version=record.version, position=record.position
            )
        payloads.append(member.data)
    return payloads


def _metadata(registry: EventRegistry, record: StoredEvent) -> dict[str, Any]:
    try:
        metadata = _metadata_decoder.decode(record.metadata) if record.metadata != "{}" else {}
    except (msgspec.DecodeError, RecursionError) as exc:
        msg = f"cannot decode the metadata of event {record.type!r}: {exc}"
        raise CodecError(
            msg, stream_id=record.stream_id, version=record.version, position=record.position
        ) from exc
    if not registry.upcasts_metadata:
        return metadata
    try:
        return registry.upcast_metadata(record.type, metadata)
    except Exception as exc:  # a failing metadata upcaster is a codec error
        msg = f"cannot upcast the metadata of event {record.type!r}: {exc}"
        raise CodecError(
            msg, stream_id=record.stream_id, version=record.version, position=record.position
        ) from exc


def _envelope(
    record: StoredEvent, event: object, metadata: Mapping[str, Any], part: int = 0
) -> Recorded[Any]:
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
        part,
    )


def decode_records(
    registry: EventRegistry,
    records: Sequence[StoredEvent],
    /,
    *,
    earlier: Iterable[StoredEvent] = (),
) -> list[Recorded[Any]]:
    """Decode a page of stored records into typed ``Recorded`` envelopes, in order.

    For readers of the log (``store.read_all``, ``store.subscribe``): each event comes
    out as the repository would give it.

    The lookups are done once per page, not per event. A record the fast path cannot
    take (an older schema version, an unknown type, metadata, a payload that fails) goes
    through ``decode_parts``, which upcasts (a split gives several envelopes, a dropped
    event none), or raises the ``CodecError`` naming it. A merge's earlier members are
    looked up in ``records`` and ``earlier`` (see ``merge_lookups``).
    """
    if registry.merges:
        index = _index([*records, *earlier])
        return [part for record in records for part in _parts(registry, record, index)]
    decoders = registry.current_decoders() if not registry.upcasts_metadata else {}
    decoded: list[Recorded[Any]] = []
    append = decoded.append
    for record in records:
        decode = decoders.get((record.type, record.schema_version))
        if decode is None or record.metadata != "{}":
            decoded.extend(decode_parts(registry, record))
            continue
        try:
            event = decode(record.data)
        except Exception:
            decoded.extend(decode_parts(registry, record))
            continue
        append(_envelope(record, event, {}))
    return decoded
