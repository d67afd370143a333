# Generated from _envelope_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: every field of an event comes back as it was written, wherever it is read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fabula._errors import CodecError
from fabula._json import MAX_DEPTH
from fabula.store import EventStore, NewEvent, SnapshotRecord, StreamAppend
from fabula.testing.conformance._envelope_base import _expect_same_envelope
from fabula.testing.conformance._events import new_events, unique_stream
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle import (
    expect_nothing_appended,
    settle,
    settled_head,
)

__all__ = [
    "check_envelope_round_trips",
    "check_json_text_is_kept_verbatim",
    "check_text_that_is_not_json_is_refused",
]

# Clocks of a database server and of its client may differ a little.
_CLOCK_SLACK = timedelta(seconds=60)


def check_envelope_round_trips(store: EventStore) -> None:
    """Ids, type, schema version, JSON data and metadata, causation and correlation come back.

    ``recorded_at`` is a timezone-aware UTC datetime close to now, and the three ways of
    reading (stream, log, causation) return equal records.
    """
    stream = unique_stream()
    cause, correlation = uuid.uuid4(), uuid.uuid4()
    written = [
        NewEvent(
            event_id=uuid.uuid4(),
            type="Renamed",
            data='{"name": "Zoë 日本 🎉", "tags": ["a", "b"], "n": 1.5, "ok": true}',
            schema_version=3,
            metadata='{"user": "ana", "trace": {"id": 7}}',
            causation_id=cause,
            correlation_id=correlation,
        ),
        NewEvent(event_id=uuid.uuid4(), type="Plain", data="{}"),
    ]
    before = datetime.now(UTC)
    result = store.append(stream, written)
    after = datetime.now(UTC)
    settle(store, result)
    by_stream = store.read_stream(stream)
    expect_equal(len(by_stream), 2, "events read back")
    for stored, new in zip(by_stream, written, strict=True):
        _expect_same_envelope(stored, new, f"read_stream, event {new.type}")
        expect_equal(stored.stream_id, stream, "StoredEvent.stream_id")
        recorded = stored.recorded_at
        expect(recorded.tzinfo is not None, f"recorded_at {recorded!r} has no time zone")
        expect_equal(recorded.utcoffset(), timedelta(0), "recorded_at's offset from UTC")
        expect(
            before - _CLOCK_SLACK <= recorded <= after + _CLOCK_SLACK,
            f"recorded_at {recorded.isoformat()} is not close to now ({after.isoformat()})",
        )
    expect_equal(by_stream[1].causation_id, None, "causation_id left out")
    expect_equal(by_stream[1].metadata, "{}", "metadata left out")
    expect_equal(by_stream[1].schema_version, 1, "schema_version left out")
    by_log = store.read_all(after=result.positions[0] - 1, limit=2)
    expect_equal(by_log, by_stream, "read_all vs read_stream records")
    expect_equal(store.read_caused_by(cause), by_stream[:1], "read_caused_by record")


def check_json_text_is_kept_verbatim(store: EventStore) -> None:
    """A store never interprets payloads: data and metadata come back character for character.

    Key order, whitespace, escapes and number spelling are the writer's, not re-encoded.
    """
    stream = unique_stream()
    written = NewEvent(
        event_id=uuid.uuid4(),
        type="Verbatim",
        data='{"z":1,  "a":[1.50, 2e3],"\\u00e9":"\\n"}',
        metadata='{ "b" : null , "a" : "x" }',
    )
    store.append(stream, [written])
    (stored,) = store.read_stream(stream)
    expect_equal(stored.data, written.data, "data text")
    expect_equal(stored.metadata, written.metadata, "metadata text")


# (field, text, why it is refused); a value that is not a str at all is ``InvalidArgument``
# (``_arguments.py``).
_NOT_JSON: tuple[tuple[str, Any, str], ...] = (
    ("data", '{"n": 1', "truncated JSON"),
    ("data", '{"n": NaN}', "NaN is not JSON"),
    ("data", "", "empty text"),
    ("data", '"\ud800"', "a lone surrogate"),
    ("data", '"\\ud800"', "an escaped lone surrogate"),
    ("data", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested past {MAX_DEPTH}"),
    ("metadata", "{'user': 'ana'}", "single quotes"),
    ("metadata", "[1, 2]", "an array, not an object"),
    ("metadata", "null", "null, not an object"),
    ("metadata", '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), "too deep"),
)


def check_text_that_is_not_json_is_refused(store: EventStore) -> None:
    """Data that is not JSON text, or metadata that is not a JSON object's, is refused.

    ``append`` and ``append_many`` raise ``CodecError`` (naming the stream) and write
    nothing, not even the batch's valid events; ``save_snapshot`` refuses such data too.
    Text nested exactly ``MAX_DEPTH`` deep is kept.
    """
    head = settled_head(store)
    stream = unique_stream()
    for field, text, why in _NOT_JSON:
        bad = NewEvent(
            event_id=uuid.uuid4(),
            type="Refused",
            data=text if field == "data" else "{}",
            metadata=text if field == "metadata" else "{}",
        )
        with raises(CodecError, f"append with {field} text that is {why}") as caught:
            store.append(stream, [*new_events(1), bad])
        expect_equal(type(caught.error), CodecError, f"error type for {field} that is {why}")
        expect_equal(caught.error.stream_id, stream, "CodecError.stream_id")
        with raises(CodecError, f"append_many with {field} text that is {why}"):
            store.append_many(
                [StreamAppend(unique_stream(), new_events(1)), StreamAppend(stream, [bad])]
            )
        if field == "data":
            snapshot = SnapshotRecord(stream_id=stream, version=1, type="Refused", data=text)
            with raises(CodecError, f"save_snapshot with data that is {why}"):
                store.save_snapshot(snapshot)
    expect_equal(store.load_snapshot(stream), None, "snapshot after the refused saves")
    expect_equal(store.stream_version(stream), 0, "version after the refused appends")
    expect_nothing_appended(store, head, "appends of text that is not JSON")
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    kept = NewEvent(event_id=uuid.uuid4(), type="Deep", data=deep, metadata='{"a": [[1]]}')
    store.append(stream, [kept])
    (stored,) = store.read_stream(stream)
    expect_equal(stored.data, deep, f"data nested exactly {MAX_DEPTH} deep")
