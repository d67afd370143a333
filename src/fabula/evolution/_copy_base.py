"""What both twins of ``copy`` share: the transform contract, checksums and the report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from fabula._errors import FabulaError
from fabula.store import NewEvent, StoredEvent

__all__ = [
    "CopyMismatch",
    "CopyReport",
    "DestinationNotEmpty",
    "Transform",
    "as_new",
    "fingerprint",
    "outputs",
    "unchanged",
]

Transform: TypeAlias = Callable[
    [StoredEvent], "StoredEvent | NewEvent | Sequence[StoredEvent | NewEvent] | None"
]
"""``transform(record)``: what to write for one source record.

Return the record (as is, or changed with ``msgspec.structs.replace``), several records,
or ``None`` (or ``[]``) to drop it. A returned ``StoredEvent`` goes to its own
``stream_id``; a ``NewEvent`` goes to the source record's stream. Event ids are kept:
give a new record a new id (``fabula.app.uuid7()``).
"""


class CopyMismatch(FabulaError):
    """After a copy, the destination does not hold exactly what was written."""


class DestinationNotEmpty(FabulaError):
    """``copy`` was given a destination that holds events already; nothing was written."""

    def __init__(self, head: int) -> None:
        self.head = head
        super().__init__(f"the destination is not empty (its log reaches position {head})")


@dataclass(slots=True)
class CopyReport:
    """What ``copy`` did.

    Attributes:
        read: source events read.
        written: events written to the destination.
        dropped: source events the transform dropped.
        streams: destination streams written.
        source_checksum: SHA-256 over the source records read (ids, streams, versions,
            types, payloads, metadata), in log order.
        checksum: SHA-256 over the destination, computed the same way; it was verified
            by reading the destination back.
        keys: personal-data key rows copied (the subjects of the sealed fields written).
        snapshots: snapshots copied (the newest of each stream copied unchanged).
    """

    read: int = 0
    written: int = 0
    dropped: int = 0
    streams: int = 0
    source_checksum: str = ""
    checksum: str = ""
    keys: int = 0
    snapshots: int = 0
    changed: set[str] = field(default_factory=set[str], repr=False)
    """Destination streams whose versions or payloads differ from the source's."""

    def as_json(self) -> dict[str, Any]:
        """Return the report as JSON-able values (what ``fabula copy --json`` prints)."""
        return {
            "read": self.read,
            "written": self.written,
            "dropped": self.dropped,
            "streams": self.streams,
            "source_checksum": self.source_checksum,
            "checksum": self.checksum,
            "keys": self.keys,
            "snapshots": self.snapshots,
        }


def fingerprint(digest: Any, stream_id: str, version: int, record: StoredEvent | NewEvent) -> None:
    """Feed one event's identity and content to a SHA-256 ``digest``."""
    fields = (
        stream_id,
        str(version),
        str(record.event_id),
        record.type,
        str(record.schema_version),
        record.data,
        record.metadata,
        str(record.causation_id),
        str(record.correlation_id),
    )
    digest.update("\x1f".join(fields).encode())
    digest.update(b"\x1e")


def as_new(record: StoredEvent | NewEvent) -> NewEvent:
    """The record to append for ``record``: same id, type, payload and metadata."""
    if isinstance(record, NewEvent):
        return record
    return NewEvent(
        event_id=record.event_id,
        type=record.type,
        data=record.data,
        schema_version=record.schema_version,
        metadata=record.metadata,
        causation_id=record.causation_id,
        correlation_id=record.correlation_id,
    )


def outputs(transform: Transform | None, record: StoredEvent) -> list[tuple[str, NewEvent]]:
    """Apply ``transform`` to one source record: ``(stream id, record)`` pairs to write."""
    if transform is None:
        return [(record.stream_id, as_new(record))]
    result = transform(record)
    if result is None:
        return []
    items: Sequence[StoredEvent | NewEvent] = (
        [result] if isinstance(result, StoredEvent | NewEvent) else result
    )
    return [
        (item.stream_id if isinstance(item, StoredEvent) else record.stream_id, as_new(item))
        for item in items
    ]


def unchanged(record: StoredEvent, written: Sequence[tuple[str, NewEvent]], version: int) -> bool:
    """Whether ``record`` was written as it is, to its own stream, at its own ``version``."""
    if len(written) != 1:
        return False
    stream_id, new = written[0]
    return (
        stream_id == record.stream_id
        and version == record.version
        and (new.type, new.schema_version, new.data)
        == (record.type, record.schema_version, record.data)
    )
