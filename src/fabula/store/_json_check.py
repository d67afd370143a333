"""Every store refuses, at append time, payloads and metadata that are not JSON text.

Rules (the same on every backend, sync and asyncio):
1. An event's ``data`` (and a snapshot's) is JSON text and its ``metadata`` the text of
   a JSON object, valid UTF-8, nested at most ``MAX_DEPTH`` deep. Anything else raises
   ``CodecError`` naming the stream and the event, before anything is written: text a
   store kept could otherwise never be read back (SQLite would store it and fail at read
   time), and PostgreSQL refuses text nested deeper than its stack allows.
2. The check reads the text and never changes it: the store keeps it verbatim (rule 5
   of the contract). It parses each text once with msgspec; ``"{}"`` metadata is free.
"""

from __future__ import annotations

from collections.abc import Sequence

from fabula._errors import CodecError
from fabula._json import json_text_problem
from fabula.store._batch import StreamAppend
from fabula.store._records import NewEvent, SnapshotRecord

__all__ = ["check_json", "check_json_batch", "check_snapshot_json"]


def check_json(stream_id: str, events: Sequence[NewEvent], /) -> None:
    """Refuse an append whose events' data or metadata is not JSON text (rule 1).

    Raises:
        CodecError: the first event whose text is refused, by id, with the reason.
    """
    for event in events:
        problem = json_text_problem(event.data)
        field = "data"
        if problem is None:
            problem = json_text_problem(event.metadata, object_only=True)
            field = "metadata"
        if problem is not None:
            msg = f"the {field} of event {event.event_id} ({event.type!r}) {problem}"
            raise CodecError(msg, stream_id=stream_id)


def check_json_batch(appends: Sequence[StreamAppend], /) -> None:
    """Refuse an ``append_many`` if any of its events' text is refused (rule 1)."""
    for append in appends:
        check_json(append.stream_id, append.events)


def check_snapshot_json(snapshot: SnapshotRecord, /) -> None:
    """Refuse a snapshot whose data is not JSON text (rule 1)."""
    problem = json_text_problem(snapshot.data)
    if problem is not None:
        msg = f"the data of the snapshot of type {snapshot.type!r} {problem}"
        raise CodecError(msg, stream_id=snapshot.stream_id, version=snapshot.version)
