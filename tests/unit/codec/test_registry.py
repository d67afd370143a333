from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pydantic
import pytest
from hypothesis import given, strategies as st

from fabula import CodecError, ConfigurationError, EventRegistry, UnknownEventType, event
from fabula.domain import EventType, event_type_of


@event("money_moved", version=1)
@dataclass(frozen=True, slots=True, kw_only=True)
class MoneyMoved:
    account: uuid.UUID
    amount: Decimal
    at: datetime
    note: str | None = None


@event("struct_happened")
class StructHappened(msgspec.Struct, frozen=True):
    name: str
    tags: list[str]


@event("pydantic_happened")
class PydanticHappened(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)
    name: str
    count: int


def test_event_type_is_explicit_and_not_the_import_path() -> None:
    assert event_type_of(MoneyMoved) == EventType("money_moved", 1)
    name, version, _ = EventRegistry([MoneyMoved]).encode(
        MoneyMoved(account=uuid.uuid4(), amount=Decimal("1.5"), at=datetime.now(UTC))
    )
    assert (name, version) == ("money_moved", 1)


def test_unnamed_classes_and_bad_names_are_refused() -> None:
    @dataclass(frozen=True)
    class Anonymous:
        x: int

    with pytest.raises(ConfigurationError, match="no stable event type name"):
        EventRegistry([Anonymous])
    with pytest.raises(ConfigurationError):
        event("has spaces")
    with pytest.raises(ConfigurationError):
        event("ok", version=0)


def test_a_subclass_needs_its_own_name() -> None:
    @dataclass(frozen=True)
    class Child(MoneyMoved):
        pass

    with pytest.raises(ConfigurationError):
        event_type_of(Child)


def test_two_classes_cannot_take_one_name() -> None:
    @event("money_moved")
    @dataclass(frozen=True)
    class Impostor:
        x: int

    with pytest.raises(ConfigurationError, match="taken by"):
        EventRegistry([MoneyMoved, Impostor])


@pytest.mark.parametrize(
    "value",
    [
        MoneyMoved(
            account=uuid.UUID(int=7),
            amount=Decimal("12.30"),
            at=datetime(2100, 1, 1, tzinfo=UTC),
            note="rent",
        ),
        StructHappened(name="s", tags=["a", "b"]),
        PydanticHappened(name="p", count=3),
    ],
    ids=["dataclass", "msgspec", "pydantic"],
)
def test_round_trip_for_each_kind_of_class(value: object) -> None:
    registry = EventRegistry([MoneyMoved, StructHappened, PydanticHappened])
    name, version, data = registry.encode(value)
    assert registry.decode(name, version, data) == value


def test_json_payload_is_plain_and_stable() -> None:
    registry = EventRegistry([MoneyMoved])
    _, _, data = registry.encode(
        MoneyMoved(account=uuid.UUID(int=1), amount=Decimal(2), at=datetime(2100, 1, 1, tzinfo=UTC))
    )
    assert msgspec.json.decode(data) == {
        "account": "00000000-0000-0000-0000-000000000001",
        "amount": "2",
        "at": "2100-01-01T00:00:00Z",
        "note": None,
    }


def test_unknown_type_and_bad_payload_name_their_coordinates() -> None:
    registry = EventRegistry([StructHappened])
    with pytest.raises(UnknownEventType, match=r"'nope'.*stream 's-1', version 2, position 9"):
        registry.decode("nope", 1, "{}", stream_id="s-1", version=2, position=9)
    with pytest.raises(CodecError, match="position 4") as caught:
        registry.decode("struct_happened", 1, '{"name": 1}', stream_id="s", version=1, position=4)
    assert (caught.value.stream_id, caught.value.position) == ("s", 4)


def test_newer_stored_version_than_code_is_an_error() -> None:
    registry = EventRegistry([StructHappened])
    with pytest.raises(CodecError, match="newer than this code"):
        registry.decode("struct_happened", 2, '{"name":"a","tags":[]}')


@event("renamed", version=3)
@dataclass(frozen=True)
class Renamed:
    first: str
    last: str


def test_upcasters_chain_one_version_at_a_time() -> None:
    registry = EventRegistry([Renamed])

    @registry.upcaster("renamed", from_version=1)
    def v1_to_v2(old: dict[str, object]) -> dict[str, object]:
        return {"full": old["name"]}

    @registry.upcaster("renamed", from_version=2)
    def v2_to_v3(old: dict[str, object]) -> dict[str, object]:
        first, _, last = str(old["full"]).partition(" ")
        return {"first": first, "last": last}

    assert registry.decode("renamed", 1, '{"name": "Ada Lovelace"}') == Renamed("Ada", "Lovelace")
    assert registry.decode("renamed", 2, '{"full": "Alan Turing"}') == Renamed("Alan", "Turing")


@given(
    name=st.text(max_size=20),
    tags=st.lists(st.text(max_size=5), max_size=5),
)
def test_round_trip_property(name: str, tags: list[str]) -> None:
    registry = EventRegistry([StructHappened])
    value = StructHappened(name=name, tags=tags)
    assert registry.decode(*registry.encode(value)) == value
