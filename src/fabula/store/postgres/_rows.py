"""Pure helpers shared by the sync and asyncio stores: rows to records, records to parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, assert_never
from uuid import UUID

from fabula._errors import ConfigurationError
from fabula.store._batch import StreamAppend
from fabula.store._preconditions import (
    AnyVersion,
    ExpectedVersion,
    NoStream,
    Precondition,
    StreamExists,
)
from fabula.store._records import NewEvent, SnapshotRecord, StoredEvent
from fabula.store.postgres._ordering import MAX_APPEND

__all__ = [
    "BIGINT_MAX",
    "EventRow",
    "RunningAppend",
    "append_params",
    "batch_params",
    "precondition_mode",
    "prefix_range",
    "snapshot_record",
    "stored_event",
]

BIGINT_MAX = (1 << 63) - 1

EventRow = tuple[int, str, int, UUID, str, str, int, str, UUID | None, UUID | None, datetime]
"""An event row, in the order of ``_sql.EVENT_COLUMNS``."""


@dataclass(frozen=True, slots=True)
class RunningAppend:
    """An append of this store still running on the server: it holds back the log's horizon.

    Readers see no position past the oldest one until it ends (``_ordering.py`` rule 2).
    """

    pid: int
    """The server process running it (``pg_stat_activity.pid``)."""
    application_name: str
    """The session's ``application_name`` (a store's ``application_name`` setting)."""
    client_address: str | None
    """The client's address, ``None`` for a Unix socket."""
    started_at: datetime
    """When its transaction began."""
    seconds: float
    """How long it has been running."""


def running_append(row: tuple[int, str, str | None, datetime, float]) -> RunningAppend:
    """Build the record of one row of ``_sql.Statements.running_appends``."""
    return RunningAppend(
        pid=row[0],
        application_name=row[1],
        client_address=row[2],
        started_at=row[3].astimezone(UTC),
        seconds=row[4],
    )


def stored_event(row: EventRow) -> StoredEvent:
    """Build the record of one event row."""
    recorded_at = row[10]
    if recorded_at.tzinfo is not UTC:
        recorded_at = recorded_at.astimezone(UTC)
    return StoredEvent(
        position=row[0],
        stream_id=row[1],
        version=row[2],
        event_id=row[3],
        type=row[4],
        data=row[5],
        schema_version=row[6],
        metadata=row[7],
        causation_id=row[8],
        correlation_id=row[9],
        recorded_at=recorded_at,
    )


def snapshot_record(row: tuple[str, int, str, str, int]) -> SnapshotRecord:
    """Build the record of one snapshot row."""
    return SnapshotRecord(
        stream_id=row[0], version=row[1], type=row[2], data=row[3], schema_version=row[4]
    )


def precondition_mode(precondition: Precondition) -> tuple[str, int]:
    """The append statement's mode for a precondition (``any``, ``new``, ``exists``, ``exact``).

    With the version ``exact`` expects (0 for the other modes).
    """
    match precondition:
        case AnyVersion():
            return "any", 0
        case NoStream():
            return "new", 0
        case ExpectedVersion(version=version):
            return ("exact", version) if version else ("new", 0)
        case StreamExists():
            return "exists", 0
        case _:
            assert_never(precondition)


def batch_params(appends: Sequence[StreamAppend]) -> dict[str, Any]:
    """The parameters of ``_sql.Statements.append_batch``: every append has events.

    Per stream: its id, event count, mode and expected version; per event, in the order
    of the appends (their positions follow it): its stream, its index in its append
    (1, 2, ...), and its columns.

    Raises:
        ConfigurationError: the batch holds more events than one transaction can number.
    """
    modes = [precondition_mode(a.precondition) for a in appends]
    events = [(a.stream_id, n, e) for a in appends for n, e in enumerate(a.events, 1)]
    if len(events) > MAX_APPEND:
        msg = f"one append_many holds at most {MAX_APPEND} events (got {len(events)}); split it"
        raise ConfigurationError(msg)
    return {
        "stream_ids": [a.stream_id for a in appends],
        "counts": [len(a.events) for a in appends],
        "modes": [mode for mode, _ in modes],
        "expected": [expected for _, expected in modes],
        "event_streams": [s for s, _, _ in events],
        "event_ns": [n for _, n, _ in events],
        "event_ids": [e.event_id for _, _, e in events],
        "types": [e.type for _, _, e in events],
        "schema_versions": [e.schema_version for _, _, e in events],
        "data": [e.data for _, _, e in events],
        "metadata": [e.metadata for _, _, e in events],
        "causation_ids": [e.causation_id for _, _, e in events],
        "correlation_ids": [e.correlation_id for _, _, e in events],
    }


def append_params(
    stream_id: str, events: Sequence[NewEvent], precondition: Precondition, *, first: int = 0
) -> tuple[str, dict[str, Any]]:
    """Return the mode (which append statement) and its parameters, for one batch.

    The mode is ``any``, ``new`` (no stream, or version 0), ``exists`` or ``exact``,
    prefixed by ``one_`` for a one-event append (scalar parameters, ``_sql._APPEND_ONE``).
    ``first`` is the index of its first event in the transaction (``append_many``).

    Raises:
        ConfigurationError: the batch holds more events than one append can number.
    """
    if len(events) > MAX_APPEND:
        msg = f"stream {stream_id!r}: one append holds at most {MAX_APPEND} events"
        msg += f" (got {len(events)}); split it into several appends"
        raise ConfigurationError(msg)
    mode, expected = precondition_mode(precondition)
    if len(events) == 1:
        [one] = events
        return f"one_{mode}", {
            "stream_id": stream_id,
            "first": first,
            "count": 1,
            "expected": expected,
            "event_ids": [one.event_id],  # for the hooked append's read back (not bound)
            "event_id": one.event_id,
            "type": one.type,
            "schema_version": one.schema_version,
            "data": one.data,
            "metadata": one.metadata,
            "causation_id": one.causation_id,
            "correlation_id": one.correlation_id,
        }
    return mode, {
        "stream_id": stream_id,
        "first": first,
        "count": len(events),
        "expected": expected,
        "event_ids": [e.event_id for e in events],
        "types": [e.type for e in events],
        "schema_versions": [e.schema_version for e in events],
        "data": [e.data for e in events],
        "metadata": [e.metadata for e in events],
        "causation_ids": [e.causation_id for e in events],
        "correlation_ids": [e.correlation_id for e in events],
    }


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """Return the range ``low <= s < high`` of the strings that start with ``prefix``.

    Strings compare by code point, as PostgreSQL's ``"C"`` collation does on UTF-8.
    ``high`` is ``None`` when no string bounds the range (an empty prefix).
    """
    chars = list(prefix)
    while chars:
        code = ord(chars.pop()) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be stored: skip past them
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix, "".join(chars) + chr(code)
    return prefix, None
