"""Stream lifecycle rules shared by every backend: archive, delete, truncate (ADR 0015).

Rules (the conformance suite's lifecycle checks prove them on every backend):
1. ``archive_stream`` hides a stream: ``read_stream`` and ``append`` raise
   ``StreamArchived``; ``list_streams`` and ``count_streams`` leave it out unless asked
   for ``status="archived"``. Its events stay in the global log (``read_all``,
   subscriptions). ``unarchive_stream`` makes it live again. Archiving an archived stream
   and unarchiving a live one change nothing.
2. ``delete_stream`` appends one tombstone (type ``TOMBSTONE_TYPE``, data ``{}``) at the
   stream's next version and marks the stream deleted, in one transaction. From then on
   every read, append or lifecycle change of the stream raises ``StreamDeleted``. The
   deletion is soft: the stream's events and its tombstone stay in the global log, so
   subscribers and projections see it. Deleted streams are listed with ``status="deleted"``.
3. ``truncate_stream(s, before=v)`` makes versions below ``v`` unreadable:
   ``read_stream`` without ``from_version`` starts at ``v``, and one with
   ``from_version < v`` raises ``StreamTruncated``. The newest snapshot is kept and the
   older ones are dropped. Truncation never moves back (a lower ``before`` changes
   nothing); the events stay in the global log.
4. Changing a stream with no events raises ``StreamNotFound``; ``before`` must lie in
   ``1..version + 1`` (``InvalidArgument``). A refused change writes nothing.
5. Appends and reads check the stream's status first: an append to an archived or
   deleted stream raises before its precondition is looked at, even when it retries one
   that was stored before.
"""

from __future__ import annotations

from fabula._errors import (
    InvalidArgument,
    StreamArchived,
    StreamDeleted,
    StreamNotFound,
    StreamTruncated,
)
from fabula._ids import uuid7
from fabula.store._records import NewEvent, StreamState, StreamStatus

__all__ = [
    "TOMBSTONE_TYPE",
    "check_appendable",
    "check_changeable",
    "check_readable",
    "check_truncate_range",
    "tombstone",
]

TOMBSTONE_TYPE = "$tombstone"
"""The type of the event ``delete_stream`` appends (the ``$`` is reserved for fabula)."""


def tombstone() -> NewEvent:
    """Return the record of a new tombstone event."""
    return NewEvent(event_id=uuid7(), type=TOMBSTONE_TYPE, data="{}", metadata="{}")


def check_appendable(stream_id: str, status: StreamStatus) -> None:
    """Refuse an append to an archived or deleted stream (rule 5)."""
    if status == "deleted":
        raise StreamDeleted(stream_id)
    if status == "archived":
        raise StreamArchived(stream_id)


def check_readable(
    stream_id: str, status: StreamStatus, truncated_before: int, from_version: int | None
) -> int:
    """Refuse a read of a hidden stream or of truncated versions; return the first version."""
    check_appendable(stream_id, status)
    if from_version is None:
        return truncated_before
    if from_version < truncated_before and truncated_before > 1:
        raise StreamTruncated(stream_id, version=from_version, truncated_before=truncated_before)
    return from_version


def check_changeable(state: StreamState) -> None:
    """Refuse a lifecycle change of a stream without events, or of a deleted one (rule 4)."""
    if state.status == "deleted":
        raise StreamDeleted(state.stream_id)
    if state.version == 0:
        raise StreamNotFound(state.stream_id)


def check_truncate_range(state: StreamState, before: int) -> None:
    """Refuse a truncation point past the stream's next version (rule 4)."""
    check_changeable(state)
    if before > state.version + 1:
        wanted = f"1..{state.version + 1} (the stream's next version)"
        argument = "before"
        raise InvalidArgument(argument, before, wanted)
