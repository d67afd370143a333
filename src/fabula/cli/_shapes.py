"""What ``--json`` prints for each kind of record: plain dicts with stable keys."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from fabula.read import DeadLetter, ProjectionStatus
from fabula.store import StoredEvent, StreamInfo

__all__ = ["event_shape", "letter_shape", "status_shape", "stream_shape"]


def event_shape(item: StoredEvent, /) -> dict[str, Any]:
    """A stored event, with its payload and metadata as JSON values (not text)."""
    return {
        "position": item.position,
        "stream_id": item.stream_id,
        "version": item.version,
        "type": item.type,
        "schema_version": item.schema_version,
        "event_id": str(item.event_id),
        "recorded_at": item.recorded_at.isoformat(),
        "causation_id": None if item.causation_id is None else str(item.causation_id),
        "correlation_id": None if item.correlation_id is None else str(item.correlation_id),
        "data": json.loads(item.data),
        "metadata": json.loads(item.metadata),
    }


def stream_shape(info: StreamInfo, /) -> dict[str, Any]:
    """A stream and its version."""
    return {"stream_id": info.stream_id, "version": info.version}


def status_shape(status: ProjectionStatus, /) -> dict[str, Any]:
    """Every field of a projection's status (``rebuild``: the copy rebuild, or null)."""
    return asdict(status)


def letter_shape(letter: DeadLetter, /) -> dict[str, Any]:
    """A parked event (dead letter), its error and traceback."""
    return asdict(letter)
