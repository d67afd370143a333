"""The console's JSON answers: stored events with their payloads as they are stored."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from starlette.responses import Response

from fabula.store import StoredEvent

__all__ = ["EventShape", "event_shape", "json_response", "to_json"]


class EventShape(msgspec.Struct, frozen=True):
    """A stored event as the console sends it: ``data`` and ``metadata`` as stored."""

    position: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    schema_version: int
    recorded_at: str
    causation_id: UUID | None
    correlation_id: UUID | None
    data: msgspec.Raw
    metadata: msgspec.Raw


def event_shape(record: StoredEvent, /) -> EventShape:
    """Return ``record`` as the console sends it."""
    return EventShape(
        position=record.position,
        stream_id=record.stream_id,
        version=record.version,
        event_id=record.event_id,
        type=record.type,
        schema_version=record.schema_version,
        recorded_at=record.recorded_at.isoformat(),
        causation_id=record.causation_id,
        correlation_id=record.correlation_id,
        data=msgspec.Raw(record.data.encode()),
        metadata=msgspec.Raw(record.metadata.encode()),
    )


def _fallback(value: Any) -> Any:
    """Encode what msgspec does not know: an object by its public attributes, else text."""
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict):
        return {k: v for k, v in attributes.items() if not k.startswith("_")}
    return repr(value)


_encoder = msgspec.json.Encoder(enc_hook=_fallback)


def to_json(value: object, /) -> bytes:
    """Encode ``value`` (structs, dataclasses, plain objects by their attributes) as JSON."""
    return _encoder.encode(value)


def json_response(value: object, /, *, status: int = 200) -> Response:
    """Answer ``value`` as JSON, encoded by msgspec (raw payloads pass through)."""
    return Response(to_json(value), status_code=status, media_type="application/json")
