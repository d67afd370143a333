"""The store's argument rules (``fabula.store._arguments``) beyond the conformance suite.

The suite proves every backend refuses bad input the same way; these tests pin the
edges of each rule: what is still accepted, and what the error says.
"""

from __future__ import annotations

import asyncio
import enum
import uuid

import pytest

from fabula import InvalidArgument, InvalidStreamId
from fabula.read import Projection
from fabula.store import (
    MAX_STREAM_ID_BYTES,
    MAX_STREAM_ID_LENGTH,
    ExpectedVersion,
    NewEvent,
    StreamInfo,
    _arguments as arguments,
)
from fabula.store.memory import AsyncMemoryStore, MemoryStore


class Kind(enum.StrEnum):
    ORDER = "order"


class MyId(uuid.UUID):
    pass


NEW = ExpectedVersion(0)


def event(**fields: object) -> NewEvent:
    values: dict[str, object] = {"event_id": uuid.uuid4(), "type": "t", "data": "{}"}
    values.update(fields)
    return NewEvent(**values)  # type: ignore[arg-type]


def test_invalid_arguments_are_value_errors_with_the_argument_named() -> None:
    with pytest.raises(InvalidStreamId) as caught:
        arguments.check_stream_id(42)
    assert isinstance(caught.value, InvalidArgument)
    assert isinstance(caught.value, ValueError)
    assert caught.value.argument == "stream_id"
    assert caught.value.value == 42
    assert str(caught.value) == "stream_id: got 42; wanted a str"


def test_a_long_value_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidStreamId, match=r"\.\.\. \(503 characters\)"):
        arguments.check_stream_id("x" * (MAX_STREAM_ID_LENGTH + 1))


@pytest.mark.parametrize(
    "stream_id",
    [
        "a",
        "x" * MAX_STREAM_ID_LENGTH,
        "\u00e9" * MAX_STREAM_ID_LENGTH,  # 2 bytes each: exactly the byte limit
        "\U0001f600" * (MAX_STREAM_ID_BYTES // 4),
        Kind.ORDER,
        "-leading-dash",
        " ",
    ],
)
def test_accepted_stream_ids(stream_id: str) -> None:
    arguments.check_stream_id(stream_id)


@pytest.mark.parametrize(
    ("stream_id", "reason"),
    [
        (b"a", "a str"),
        ("", "non-empty"),
        ("a\0", "NUL"),
        ("\ud800", "lone surrogates"),
        ("x" * (MAX_STREAM_ID_LENGTH + 1), "at most 500 characters"),
        ("\u20ac" * 334, "at most 1000 bytes in UTF-8 \\(got 1002\\)"),
    ],
)
def test_refused_stream_ids_say_why(stream_id: object, reason: str) -> None:
    with pytest.raises(InvalidStreamId, match=reason):
        arguments.check_stream_id(stream_id)


def test_uuid_subclasses_int_subclasses_and_any_collection_are_accepted() -> None:
    arguments.check_append("s", [event(event_id=MyId(int=1), causation_id=MyId(int=2))], NEW)
    arguments.check_read_all(0, None, frozenset({"a"}), {"c": 1}.keys())
    arguments.check_read_all(0, 0, [], [""])  # a stream id "-x" is in category ""


@pytest.mark.parametrize("position", [0, 2**63 - 1])
def test_the_ends_of_the_position_range_are_accepted(position: int) -> None:
    arguments.check_read_all(position, None, None, None)
    arguments.check_append("s", [], ExpectedVersion(position))


def test_the_prefix_and_after_of_list_streams_may_be_empty() -> None:
    store = MemoryStore()
    store.append("a-1", [event()])
    assert store.list_streams("", after="") == [StreamInfo("a-1", 1)]
    assert store.count_streams("") == 1


def test_durations_accept_ints_and_zero_and_refuse_bools() -> None:
    arguments.check_wait_for_events(0, 0)
    arguments.check_wait_for_events(0, 1)
    for bad in (False, 10**400, float("-inf")):
        with pytest.raises(InvalidArgument, match="timeout"):
            arguments.check_wait_for_events(0, bad)
    with pytest.raises(InvalidArgument, match="poll_interval"):
        arguments.check_subscribe(0, None, None, 1, 0.0)


def test_next_batch_refuses_a_bad_timeout() -> None:
    with MemoryStore().subscribe() as subscription:
        for timeout in (-1, float("nan"), "1"):
            with pytest.raises(InvalidArgument, match="timeout"):
                subscription.next_batch(timeout=timeout)  # type: ignore[arg-type]
        assert subscription.next_batch(timeout=0) == []


def test_async_next_batch_refuses_a_bad_timeout() -> None:
    async def run() -> None:
        async with AsyncMemoryStore().subscribe() as subscription:
            with pytest.raises(InvalidArgument, match="timeout"):
                await subscription.next_batch(timeout=-0.5)

    asyncio.run(run())


def test_a_bare_str_of_tables_is_refused_by_a_projection() -> None:
    with pytest.raises(InvalidArgument, match="tables"):
        Projection("todo_list", tables="todos")
    assert Projection("todo_list", tables=["todos"]).tables == ("todos",)


def test_the_error_names_the_event_at_fault() -> None:
    with pytest.raises(InvalidArgument, match=r"events\[1\]\.correlation_id") as caught:
        arguments.check_append("s", [event(), event(correlation_id=str(uuid.uuid4()))], NEW)
    assert caught.value.argument == "events[1].correlation_id"
