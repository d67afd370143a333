"""The codec refuses what it cannot read back: through the codec directly.

Property: for any event, what ``encode`` writes, ``decode`` reads back equal, or
``encode`` raises ``CodecError`` because the event holds something JSON cannot keep.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pydantic
import pytest
from hypothesis import given, settings, strategies as st

from fabula import CodecError, EventRegistry, InvalidMetadata, event
from fabula.codec import MAX_DEPTH, decode_recorded, decode_records, encode_json, encode_metadata
from fabula.codec._refusals import clock_plan
from fabula.store import StoredEvent

NON_FINITE = [math.nan, math.inf, -math.inf]


@event("measured")
@dataclass(frozen=True, kw_only=True)
class Measured:
    value: float
    maybe: float | None = None
    series: list[float] = field(default_factory=list)
    by_name: dict[str, float] = field(default_factory=dict)


@event("struct_measured")
class StructMeasured(msgspec.Struct, frozen=True):
    values: tuple[float, ...]


@event("pydantic_measured")
class PydanticMeasured(pydantic.BaseModel):
    value: float


@event("nested")
@dataclass(frozen=True)
class Nested:
    tree: Any


def nested_lists(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("bad", NON_FINITE, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda x: Measured(value=x), "$.value"),
        (lambda x: Measured(value=1.0, maybe=x), "$.maybe"),
        (lambda x: Measured(value=1.0, series=[1.0, x]), "$.series[1]"),
        (lambda x: Measured(value=1.0, by_name={"a": x}), "$.by_name.a"),
        (lambda x: StructMeasured((0.5, x)), "$.values[1]"),
        (lambda x: PydanticMeasured(value=x), "$.value"),
        (lambda x: Nested({"deep": [{"x": x}]}), "$.tree.deep[0].x"),
    ],
    ids=["field", "optional", "list", "dict", "struct", "pydantic", "untyped"],
)
def test_non_finite_floats_are_refused_and_named(make: Any, path: str, bad: float) -> None:
    with pytest.raises(CodecError, match=r"non-finite float") as caught:
        EventRegistry().encode(make(bad))
    assert path in str(caught.value)


def test_null_that_is_none_is_still_written() -> None:
    registry = EventRegistry([Measured])
    name, version, data = registry.encode(Measured(value=1.0, maybe=None))
    assert registry.decode(name, version, data) == Measured(value=1.0)


def test_decimal_nan_and_infinity_round_trip_as_strings() -> None:
    @event("priced")
    @dataclass(frozen=True)
    class Priced:
        price: Decimal

    registry = EventRegistry([Priced])
    for text in ("NaN", "Infinity", "-Infinity"):
        decoded = registry.decode(*registry.encode(Priced(Decimal(text))))
        assert str(decoded.price) == text


def test_datetimes_with_an_offset_of_seconds_are_refused() -> None:
    @event("stamped")
    @dataclass(frozen=True)
    class Stamped:
        at: datetime

    registry = EventRegistry([Stamped])
    # Before 1892 Amsterdam's offset was +00:19:32; RFC 3339 text would say +00:20.
    old = datetime(1800, 1, 1, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with pytest.raises(CodecError, match=r"\$\.at has the UTC offset 0:19:32"):
        registry.encode(Stamped(old))
    utc = old.astimezone(UTC)
    assert registry.decode(*registry.encode(Stamped(utc))) == Stamped(utc)


@event("stamps")
@dataclass(frozen=True)
class Stamps:
    first: datetime | None
    later: list[tuple[str, datetime]]


@event("struct_stamps")
class StructStamps(msgspec.Struct, frozen=True, array_like=True):
    at: datetime


SECONDS = timezone(timedelta(minutes=19, seconds=32))


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (Stamps(datetime(2020, 1, 1, tzinfo=SECONDS), []), "$.first"),
        (Stamps(None, [("a", datetime(2020, 1, 1, tzinfo=SECONDS))]), "$.later[0][1]"),
        (StructStamps(datetime(2020, 1, 1, tzinfo=SECONDS)), "$.at"),
        (Nested({"at": datetime(2020, 1, 1, tzinfo=SECONDS)}), "$.tree.at"),
    ],
    ids=["optional-field", "nested", "array-like-struct", "untyped"],
)
def test_offsets_with_seconds_are_refused_wherever_they_are(value: object, path: str) -> None:
    with pytest.raises(CodecError, match="UTC offset 0:19:32") as caught:
        EventRegistry().encode(value)
    assert f"{path} has" in str(caught.value)


def test_clock_plans_name_top_level_fields_or_ask_for_a_walk() -> None:
    assert clock_plan(Measured) == ()
    assert clock_plan(StructStamps) == ("at",)
    assert clock_plan(Stamps) is None
    assert clock_plan(Nested) is None
    assert clock_plan(PydanticMeasured) is None


def test_snapshot_state_with_a_non_finite_float_is_refused() -> None:
    with pytest.raises(CodecError, match=r"\$\.peak is a non-finite float"):
        encode_json({"peak": -math.inf})


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 5000])
def test_events_nested_past_the_limit_are_refused(depth: int) -> None:
    registry = EventRegistry([Nested])
    # The event object is one level, its list the rest.
    value = Nested(nested_lists(depth - 1))
    if depth <= MAX_DEPTH:
        assert registry.decode(*registry.encode(value)) == value
        return
    with pytest.raises(CodecError, match=f"more than {MAX_DEPTH} deep"):
        registry.encode(value)


def test_deep_snapshot_state_is_refused() -> None:
    with pytest.raises(CodecError, match="deep"):
        encode_json({"tree": nested_lists(10_000)})


@pytest.mark.parametrize("metadata", [["user", "ana"], "user=ana", 7, ("a", "b")])
def test_metadata_that_is_not_a_mapping_is_invalid_metadata(metadata: object) -> None:
    with pytest.raises(InvalidMetadata, match="must be a mapping") as caught:
        encode_metadata(metadata)
    assert isinstance(caught.value, CodecError)
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ({"load": math.nan}, r"\$\.load is a non-finite float"),
        ({"a": [1, {"b": math.inf}]}, r"\$\.a\[1\]\.b is a non-finite float"),
        ({1: "one"}, "has the key 1"),
        ({"at": datetime.now(UTC)}, r"\$\.at is of type datetime"),
        ({"ids": {uuid.uuid4()}}, r"\$\.ids is of type set"),
        ({"pair": (1, 2)}, r"\$\.pair is of type tuple"),
        ({"x": object()}, r"\$\.x is of type object"),
        ({"tree": nested_lists(MAX_DEPTH + 1)}, "more than 100 deep"),
        ({"tree": nested_lists(100_000)}, "more than 100 deep"),
    ],
)
def test_metadata_that_json_cannot_keep_is_refused(metadata: Any, reason: str) -> None:
    with pytest.raises(CodecError, match=reason) as caught:
        encode_metadata(metadata)
    assert type(caught.value) is CodecError


def test_json_metadata_is_encoded() -> None:
    metadata = {"user": "ana", "n": 1, "x": 1.5, "ok": True, "none": None, "l": [{"a": []}]}
    assert msgspec.json.decode(encode_metadata(metadata)) == metadata
    assert encode_metadata(None) == encode_metadata({}) == "{}"


# -- decoding stored JSON that is nested too deep ----------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def stored(data: str = "{}", metadata: str = "{}") -> StoredEvent:
    return StoredEvent(
        position=9,
        stream_id="nested-1",
        version=3,
        event_id=uuid.uuid4(),
        type="nested",
        data=data,
        schema_version=1,
        metadata=metadata,
        causation_id=None,
        correlation_id=None,
        recorded_at=datetime.now(UTC),
    )


def where(error: CodecError) -> tuple[object, object, object]:
    return error.stream_id, error.version, error.position


@pytest.mark.parametrize("data", [DEEP, '{"tree": ' + DEEP + "}"])
def test_deep_stored_payload_is_a_codec_error_with_coordinates(data: str) -> None:
    registry = EventRegistry([Nested])
    with pytest.raises(CodecError) as caught:
        registry.decode("nested", 1, data, stream_id="nested-1", version=3, position=9)
    assert where(caught.value) == ("nested-1", 3, 9)
    for decode in (
        lambda: decode_recorded(registry, stored(data)),
        lambda: decode_records(registry, [stored(data)]),
    ):
        with pytest.raises(CodecError) as caught:
            decode()
        assert where(caught.value) == ("nested-1", 3, 9)


def test_deep_stored_metadata_is_a_codec_error_with_coordinates() -> None:
    registry = EventRegistry([Nested])
    record = stored('{"tree": 1}', '{"a": ' + DEEP + "}")
    for decode in (
        lambda: decode_recorded(registry, record),
        lambda: decode_records(registry, [record]),
    ):
        with pytest.raises(CodecError, match="metadata") as caught:
            decode()
        assert where(caught.value) == ("nested-1", 3, 9)


# -- the property ------------------------------------------------------------------------


@event("sample")
@dataclass(frozen=True, kw_only=True)
class Sample:
    number: float
    maybe: float | None
    amount: Decimal
    at: datetime
    text: str
    tags: list[str]
    table: dict[str, list[float]]
    nested: list[dict[str, tuple[int, float, str]]]


offsets = st.builds(
    timezone, st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23))
)
# Every code point, lone surrogates included: JSON text cannot hold those.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
floats = st.floats(allow_nan=True, allow_infinity=True)
samples = st.builds(
    Sample,
    number=floats,
    maybe=st.none() | floats,
    amount=st.decimals(allow_nan=True, allow_infinity=True),
    at=st.datetimes(timezones=st.none() | offsets),
    text=any_text,
    tags=st.lists(any_text, max_size=3),
    table=st.dictionaries(any_text, st.lists(floats, max_size=3), max_size=3),
    nested=st.lists(
        st.dictionaries(any_text, st.tuples(st.integers(), floats, any_text), max_size=2),
        max_size=3,
    ),
)


def unwritable(value: object) -> bool:
    """Whether ``value`` holds a float, string or datetime that JSON text cannot keep."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, datetime):
        offset = value.utcoffset()
        return offset is not None and offset % timedelta(minutes=1) != timedelta(0)
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(unwritable(k) or unwritable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(unwritable(item) for item in value)
    return False


def builtins(value: object) -> object:
    # Decimal NaN is not equal to itself; its text is.
    return msgspec.to_builtins(value)


@settings(max_examples=300, deadline=None)
@given(samples)
def test_what_encode_writes_decode_reads_back_equal_or_encode_refuses(value: Sample) -> None:
    registry = EventRegistry([Sample])
    parts = msgspec.to_builtins(value, builtin_types=(datetime,))
    try:
        name, version, data = registry.encode(value)
    except CodecError:
        assert unwritable(parts), f"refused a writable event: {value!r}"
        return
    assert not unwritable(parts)
    decoded = registry.decode(name, version, data)
    assert type(decoded) is Sample
    assert builtins(decoded) == builtins(value)
    assert decoded.at == value.at
    assert decoded.at.utcoffset() == value.at.utcoffset()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | floats | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(any_text, json_values, max_size=4))
def test_metadata_reads_back_equal_or_is_refused(metadata: dict[str, Any]) -> None:
    try:
        text = encode_metadata(metadata)
    except CodecError:
        assert unwritable(metadata)
        return
    assert not unwritable(metadata)
    assert msgspec.json.decode(text) == metadata
