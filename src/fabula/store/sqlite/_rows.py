"""Rows to records: the SQLite encodings of ids and times, decoded cheaply.

Event ids are 16-byte BLOBs and times are integer microseconds since 1970-01-01 UTC.
Decoding runs once per event read, so it skips the checks that only guard untrusted input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, SafeUUID

from fabula.store._records import StoredEvent

__all__ = ["EPOCH", "decode_events", "uuid_from_bytes"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown  # an enum member's lookup costs a descriptor call each time


def _fast_uuid(raw: bytes) -> UUID:
    """``UUID(bytes=raw)`` minus its argument checks (twice as fast): bytes we stored."""
    value: UUID = _new(UUID)
    _set(value, "int", int.from_bytes(raw))
    _set(value, "is_safe", _UNKNOWN)
    return value


def _checked_uuid(raw: bytes) -> UUID:
    return UUID(bytes=raw)


def _pick_uuid_decoder() -> Callable[[bytes], UUID]:
    # The fast path relies on UUID's slots; a Python that changes them gets the plain one.
    sample = UUID("12345678-9abc-4def-8123-456789abcdef")
    try:
        fast = _fast_uuid(sample.bytes)
        same = (fast, hash(fast), str(fast), fast.version) == (
            sample,
            hash(sample),
            str(sample),
            sample.version,
        )
    except (AttributeError, TypeError):
        same = False
    return _fast_uuid if same else _checked_uuid


uuid_from_bytes = _pick_uuid_decoder()
"""``UUID(bytes=raw)``, by the fastest way that gives the same UUID on this Python."""


def decode_events(rows: list[tuple[Any, ...]]) -> list[StoredEvent]:
    """Turn ``EVENT_COLUMNS`` rows into records (events of one append share a timestamp)."""
    found: list[StoredEvent] = []
    add = found.append
    last_micros = None
    recorded_at = EPOCH
    for (
        position,
        stream_id,
        version,
        event_id,
        type_,
        data,
        schema_version,
        metadata,
        causation_id,
        correlation_id,
        micros,
    ) in rows:
        if micros != last_micros:
            recorded_at = EPOCH + timedelta(microseconds=micros)
            last_micros = micros
        add(
            StoredEvent(
                position=position,
                stream_id=stream_id,
                version=version,
                event_id=uuid_from_bytes(event_id),
                type=type_,
                data=data,
                schema_version=schema_version,
                metadata=metadata,
                causation_id=None if causation_id is None else uuid_from_bytes(causation_id),
                correlation_id=None if correlation_id is None else uuid_from_bytes(correlation_id),
                recorded_at=recorded_at,
            )
        )
    return found
