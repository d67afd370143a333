# Generated from _arguments_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: bad arguments get one typed error on every backend, and write nothing.

A stream id that is not a ``str``, is empty, holds NUL or a lone surrogate, or is longer
than ``MAX_STREAM_ID_LENGTH`` characters or ``MAX_STREAM_ID_BYTES`` bytes of UTF-8
raises ``InvalidStreamId``; every other bad argument raises ``InvalidArgument`` (the
exact class, so that a caller's ``except`` works the same on every backend). The
longest valid ids are stored and read back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fabula._errors import InvalidArgument, InvalidStreamId
from fabula.store import (
    MAX_STREAM_ID_BYTES,
    MAX_STREAM_ID_LENGTH,
    EventStore,
    ExpectedVersion,
    StreamAppend,
)
from fabula.testing.conformance._arguments_base import (
    _TOO_LONG,
    _bad_events,
    _refused_now,
    _snapshot,
)
from fabula.testing.conformance._events import event_ids, new_events, unique_stream
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle import expect_nothing_appended, settled_head

__all__ = [
    "check_bad_events_are_refused",
    "check_bad_filters_are_refused",
    "check_bad_numbers_are_refused",
    "check_bad_snapshots_are_refused",
    "check_bad_stream_ids_are_refused",
    "check_longest_stream_ids_are_stored",
]

_TOO_MANY_BYTES = "\u20ac" * (MAX_STREAM_ID_BYTES // 3 + 1)  # few characters, 3 bytes each
_BAD_STREAM_IDS: list[object] = [
    uuid.UUID(int=7),
    42,
    ("a",),
    None,
    "",
    "a\0b",
    "a\ud800b",
    _TOO_LONG,
    _TOO_MANY_BYTES,
]


def _refused(
    error: type[InvalidArgument],
    what: str,
    method: Callable[..., object],
    /,
    *args: object,
    **kwargs: object,
) -> None:
    """Expect ``method(*args, **kwargs)`` to raise exactly ``error``."""
    with raises(error, what) as caught:
        method(*args, **kwargs)
    expect_equal(type(caught.error), error, f"{what}: the error's class")


def check_bad_stream_ids_are_refused(store: EventStore) -> None:
    """Every method taking a stream id raises ``InvalidStreamId`` for a bad one."""
    head = settled_head(store)
    for bad in _BAD_STREAM_IDS:
        shown = repr(bad)[:40]
        pair = [StreamAppend(unique_stream(), new_events(1)), StreamAppend(bad, new_events(1))]  # type: ignore[arg-type]
        _refused(InvalidStreamId, f"append({shown})", store.append, bad, new_events(1))
        _refused(InvalidStreamId, f"append_many to {shown}", store.append_many, pair)
        _refused(InvalidStreamId, f"read_stream({shown})", store.read_stream, bad)
        _refused(InvalidStreamId, f"stream_version({shown})", store.stream_version, bad)
        _refused(InvalidStreamId, f"load_snapshot({shown})", store.load_snapshot, bad)
        snapshot = _snapshot(bad)
        _refused(InvalidStreamId, f"save_snapshot to {shown}", store.save_snapshot, snapshot)
    expect_nothing_appended(store, head, "appends to bad stream ids")


def check_longest_stream_ids_are_stored(store: EventStore) -> None:
    """Ids of exactly the maximum length, in characters and in bytes, are stored and read."""
    tag = uuid.uuid4().hex
    ascii_id = (tag * (MAX_STREAM_ID_LENGTH // len(tag) + 1))[:MAX_STREAM_ID_LENGTH]
    wide = "".join(chr(0x1F600 + int(c, 16)) for c in tag)  # 4 bytes a character
    wide_id = (wide * MAX_STREAM_ID_BYTES)[: MAX_STREAM_ID_BYTES // 4]
    for stream in (ascii_id, wide_id):
        events = new_events(1)
        result = store.append(stream, events)
        expect_equal(result.version, 1, f"append to a stream id of {len(stream)} characters")
        stored = store.read_stream(stream)
        expect_equal(event_ids(stored), event_ids(events), "events of the longest stream id")
        expect_equal(stored[0].stream_id, stream, "the longest stream id read back")
        store.save_snapshot(_snapshot(stream))
        found = store.load_snapshot(stream)
        expect(found is not None, "a snapshot of the longest stream id was not found")
    listed = store.list_streams(ascii_id[:20])
    expect_equal([i.stream_id for i in listed], [ascii_id], "list_streams by the id's prefix")


_BAD_FILTERS: list[dict[str, object]] = [
    {"types": "Happened"},
    {"categories": "orders"},
    {"types": b"Happened"},
    {"types": 5},
    {"types": [5]},
    {"types": [""]},
    {"categories": ["a\0b"]},
    {"categories": [_TOO_LONG]},
]


def check_bad_filters_are_refused(store: EventStore) -> None:
    """A bare ``str`` (or a bad name) where a collection of names goes is ``InvalidArgument``."""
    for filters in _BAD_FILTERS:
        what = ", ".join(f"{k}={v!r:.40}" for k, v in filters.items())
        _refused(InvalidArgument, f"read_all({what})", store.read_all, **filters)
        _refused_now(f"subscribe({what})", store.subscribe, **filters)
    for prefix in (5, None, "a\0", "\udc80", _TOO_LONG):
        shown = f"{prefix!r:.40}"
        _refused(InvalidArgument, f"list_streams({shown})", store.list_streams, prefix)
        _refused(InvalidArgument, f"count_streams({shown})", store.count_streams, prefix)
        if prefix is not None:
            _refused(
                InvalidArgument, f"list_streams(after={shown})", store.list_streams, after=prefix
            )
    _refused(
        InvalidArgument, "read_caused_by(a UUID's text)", store.read_caused_by, str(uuid.uuid4())
    )


def check_bad_numbers_are_refused(store: EventStore) -> None:
    """Negative, huge, bool or non-int positions, versions, limits and timeouts are refused."""
    stream = unique_stream()
    head = settled_head(store)
    nan = float("nan")
    for bad in (-1, 2**70, True, 1.5, "1"):
        _refused(InvalidArgument, f"read_all(after={bad!r})", store.read_all, after=bad)
        _refused(InvalidArgument, f"read_all(limit={bad!r})", store.read_all, limit=bad)
        _refused(
            InvalidArgument, f"wait_for_events({bad!r})", store.wait_for_events, bad, timeout=0
        )
        for option in ("from_version", "to_version", "limit"):
            _refused(
                InvalidArgument,
                f"read_stream({option}={bad!r})",
                store.read_stream,
                stream,
                **{option: bad},
            )
        _refused(InvalidArgument, f"list_streams(limit={bad!r})", store.list_streams, limit=bad)
        _refused(
            InvalidArgument,
            f"load_snapshot(max_version={bad!r})",
            store.load_snapshot,
            stream,
            max_version=bad,
        )
        _refused(
            InvalidArgument,
            f"append with ExpectedVersion({bad!r})",
            store.append,
            stream,
            new_events(1),
            precondition=ExpectedVersion(bad),  # type: ignore[arg-type]
        )
    for direction in ("backward", "FORWARDS", None):
        _refused(
            InvalidArgument,
            f"read_stream(direction={direction!r})",
            store.read_stream,
            stream,
            direction=direction,
        )
    for timeout in (-1, nan, float("inf"), True, "1"):
        _refused(
            InvalidArgument,
            f"wait_for_events(timeout={timeout!r})",
            store.wait_for_events,
            0,
            timeout=timeout,
        )
    for option, bad in (
        ("batch_size", 0),
        ("batch_size", True),
        ("poll_interval", 0),
        ("poll_interval", nan),
        ("after", -1),
    ):
        _refused_now(f"subscribe({option}={bad!r})", store.subscribe, **{option: bad})
    for precondition in (None, 3, "any"):
        _refused(
            InvalidArgument,
            f"append(precondition={precondition!r})",
            store.append,
            stream,
            new_events(1),
            precondition=precondition,
        )
    expect_nothing_appended(store, head, "appends with bad numbers")


def check_bad_events_are_refused(store: EventStore) -> None:
    """A bad ``NewEvent`` field, or events that are not a sequence, write nothing at all."""
    stream = unique_stream()
    head = settled_head(store)
    for what, bad in _bad_events():
        batch = [*new_events(1), bad]
        _refused(InvalidArgument, f"append: {what}", store.append, stream, batch)
        appends = [StreamAppend(stream, batch)]  # type: ignore[arg-type]
        _refused(InvalidArgument, f"append_many: {what}", store.append_many, appends)
    for events in (new_events(1)[0], "events", iter(new_events(1))):
        what = f"append(events={type(events).__name__})"
        _refused(InvalidArgument, what, store.append, stream, events)
    for bad_appends in (StreamAppend(stream, new_events(1)), [(stream, new_events(1))], "x"):
        what = f"append_many({type(bad_appends).__name__})"
        _refused(InvalidArgument, what, store.append_many, bad_appends)
    expect_equal(store.stream_version(stream), 0, "version after refused appends")
    expect_nothing_appended(store, head, "appends of bad events")


def check_bad_snapshots_are_refused(store: EventStore) -> None:
    """A snapshot with a bad version, type, data or schema version is refused, not saved."""
    stream = unique_stream()
    bad_fields: list[tuple[str, dict[str, object]]] = [
        ("version -1", {"version": -1}),
        ("version 2**70", {"version": 2**70}),
        ("version True", {"version": True}),
        ("empty type", {"type": ""}),
        ("data as bytes", {"data": b"{}"}),
        ("schema_version 0", {"schema_version": 0}),
    ]
    for what, fields in bad_fields:
        snapshot = _snapshot(stream, **fields)
        _refused(InvalidArgument, f"save_snapshot: {what}", store.save_snapshot, snapshot)
    _refused(InvalidArgument, "save_snapshot of a dict", store.save_snapshot, {"stream_id": stream})
    expect_equal(store.load_snapshot(stream), None, "a snapshot after refused saves")
