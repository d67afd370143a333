"""Bulk import: the records, the chunk rule and the checks every backend shares.

Rules (every backend's ``import_events``, sync and asyncio):
1. The input is read in chunks of ``chunk_size`` events, in order; each chunk is one
   transaction. A chunk is checked entirely before anything of it is written, and a
   chunk that fails writes nothing. Chunks before it stay stored: ``ImportRefused``
   names the failing event's line and how many events were stored before it.
2. Each event carries its stream version. The first event of a stream in a chunk must
   follow the stored stream (version 1: the stream must not exist), and the next ones
   follow it one by one: the same precondition an ``append`` with ``ExpectedVersion``
   checks, against the stream's row, locked for the transaction.
3. Event ids are unique: an id repeated in a chunk, or already stored, refuses the chunk.
4. Positions follow the input order: the log's order is the file's order.
5. ``recorded_at`` is kept when given (an export of another store), else the import's time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn
from uuid import UUID

from fabula._errors import (
    ConcurrencyError,
    DuplicateEvent,
    FabulaError,
    ImportRefused,
    InvalidArgument,
    StreamArchived,
    StreamDeleted,
)
from fabula._json import json_text_problem
from fabula.store import _arguments
from fabula.store._lifecycle import check_appendable
from fabula.store._preconditions import ANY_VERSION
from fabula.store._records import NewEvent, StreamStatus

__all__ = [
    "DEFAULT_CHUNK",
    "ImportResult",
    "ImportedEvent",
    "check_chunk",
    "check_versions",
    "chunked",
    "duplicate_in",
]

_INT_MAX = 2**31 - 1
_VERSION_MAX = 2**63 - 1

DEFAULT_CHUNK = 10_000
"""Events per transaction unless told otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedEvent:
    """An event to import: a stored event of another log, without its position."""

    stream_id: str
    version: int
    event_id: UUID
    type: str
    data: str
    schema_version: int = 1
    metadata: str = "{}"
    causation_id: UUID | None = None
    correlation_id: UUID | None = None
    recorded_at: datetime | None = None


def _new_event(event: ImportedEvent) -> NewEvent:
    """The event as an append would take it (to check it as an append does)."""
    return NewEvent(
        event_id=event.event_id,
        type=event.type,
        data=event.data,
        schema_version=event.schema_version,
        metadata=event.metadata,
        causation_id=event.causation_id,
        correlation_id=event.correlation_id,
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import stored: events, chunks (transactions) and the last position written."""

    events: int
    chunks: int
    last_position: int | None


def _refuse(argument: str, value: object, wanted: str) -> NoReturn:
    raise InvalidArgument(argument, value, wanted)


def chunked(
    events: Iterable[ImportedEvent], size: int, *, most: int = 2**31 - 1
) -> Iterator[list[ImportedEvent]]:
    """The input in lists of ``size`` events (the last may be shorter); ``size <= most``."""
    if type(size) is not int or not 0 < size <= most:
        _refuse("chunk_size", size, f"an int from 1 to {most}")
    chunk: list[ImportedEvent] = []
    for event in events:
        chunk.append(event)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_chunk(chunk: Sequence[ImportedEvent], first_line: int, imported: int) -> None:
    """Refuse a chunk with a malformed event or an id repeated inside it (rules 1, 3).

    Raises:
        ImportRefused: naming the first offending event's line, caused by the typed error.
    """
    seen: set[UUID] = set()
    streams: set[str] = set()  # stream ids checked already
    types: set[str] = set()
    for line, event in enumerate(chunk, first_line):
        try:
            if type(event) is not ImportedEvent:
                _refuse("event", event, "an ImportedEvent")
            if not (
                event.stream_id in streams
                and event.type in types
                and type(event.event_id) is UUID
                and type(event.schema_version) is int
                and 0 < event.schema_version < _INT_MAX
                and type(event.data) is str
                and type(event.metadata) is str
                and (event.causation_id is None or type(event.causation_id) is UUID)
                and (event.correlation_id is None or type(event.correlation_id) is UUID)
            ):
                # The slow path names the problem (or finds none: new names).
                _arguments.check_append(event.stream_id, [_new_event(event)], ANY_VERSION)
                streams.add(event.stream_id)
                types.add(event.type)
            if type(event.version) is not int or not 0 < event.version < _VERSION_MAX:
                _refuse("version", event.version, "an int >= 1")
            when: object = event.recorded_at  # a Struct is built without validation
            if when is not None and (not isinstance(when, datetime) or when.tzinfo is None):
                _refuse("recorded_at", event.recorded_at, "an aware datetime")
            problem = json_text_problem(event.data)
            field = "data"
            if problem is None and event.metadata != "{}":
                problem = json_text_problem(event.metadata, object_only=True)
                field = "metadata"
            if problem is not None:
                raise InvalidArgument(field, event.type, f"JSON text: it {problem}")
            if event.event_id in seen:
                raise DuplicateEvent(event.event_id, event.stream_id)
        except FabulaError as exc:
            raise ImportRefused(line, imported, str(exc)) from exc
        seen.add(event.event_id)


def check_lifecycle(
    chunk: Sequence[ImportedEvent],
    first_line: int,
    imported: int,
    status_of: Callable[[str], StreamStatus],
) -> None:
    """Refuse a chunk that writes to an archived or deleted stream (ADR 0015, rule 5).

    Raises:
        ImportRefused: caused by ``StreamArchived`` or ``StreamDeleted`` at the first such event.
    """
    seen: set[str] = set()
    for line, event in enumerate(chunk, first_line):
        if event.stream_id in seen:
            continue
        seen.add(event.stream_id)
        try:
            check_appendable(event.stream_id, status_of(event.stream_id))
        except (StreamArchived, StreamDeleted) as cause:
            raise ImportRefused(line, imported, str(cause)) from cause


def check_versions(
    chunk: Sequence[ImportedEvent],
    first_line: int,
    imported: int,
    stored: Mapping[str, int],
) -> dict[str, int]:
    """Check each event's version against its stream (rule 2); return the new heads.

    ``stored`` holds the current version of the chunk's existing streams (locked).

    Raises:
        ImportRefused: caused by ``ConcurrencyError`` at the first event out of place.
    """
    heads: dict[str, int] = {}
    for line, event in enumerate(chunk, first_line):
        stream_id = event.stream_id
        current = heads.get(stream_id)
        if current is None:
            current = stored.get(stream_id, 0)
        if event.version != current + 1:
            cause = ConcurrencyError(stream_id, f"version {event.version - 1}", current)
            raise ImportRefused(line, imported, str(cause)) from cause
        heads[stream_id] = event.version
    return heads


def duplicate_in(
    chunk: Sequence[ImportedEvent], stored_ids: Iterable[UUID], first_line: int, imported: int
) -> ImportRefused:
    """The refusal of a chunk holding an id that is stored already (rule 3)."""
    known = set(stored_ids)
    for line, event in enumerate(chunk, first_line):
        if event.event_id in known:
            cause = DuplicateEvent(event.event_id, event.stream_id)
            refused = ImportRefused(line, imported, str(cause))
            refused.__cause__ = cause
            return refused
    return ImportRefused(first_line, imported, "an event id of this chunk is stored already")
