"""The ``Personal`` marker: what the codec accepts, refuses and does without a keyring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
import pydantic
import pytest

import fabula
from fabula.codec import EventRegistry, decode_recorded, encode_new
from fabula.codec._personal import plan_of
from fabula.store.memory import MemoryStore

from .domain import Customer, Registered, registered


def test_the_plan_names_each_personal_field_and_its_subject():
    plan = EventRegistry().personal_fields(Registered)
    assert [(f.name, f.subject, f.redacted) for f in plan] == [
        ("email", "customer_id", fabula.REDACTED),
        ("name", "customer_id", None),
    ]


def test_a_marker_naming_no_field_is_refused():
    @fabula.event("personal_test.bad_subject")
    @dataclass(frozen=True)
    class Bad:
        email: Annotated[str, fabula.Personal(subject="who")]

    with pytest.raises(fabula.ConfigurationError, match="who"):
        EventRegistry([Bad])


def test_hints_that_do_not_resolve_are_refused_rather_than_stored_in_clear():
    class Local:  # not at module level: the string hint below cannot be resolved
        pass

    @fabula.event("personal_test.unresolved")
    @dataclass(frozen=True)
    class Bad:
        who: str
        email: Annotated[str, fabula.Personal(subject="who")]
        other: Local | None = None

    with pytest.raises(fabula.ConfigurationError, match="do not resolve"):
        plan_of(Bad)  # (msgspec refuses such a class too, when it builds its decoder)


def test_a_redacted_value_of_another_type_is_refused():
    @fabula.event("personal_test.bad_redacted")
    @dataclass(frozen=True)
    class Bad:
        who: str
        age: Annotated[int, fabula.Personal(subject="who")]

    with pytest.raises(fabula.ConfigurationError, match="redacted"):
        EventRegistry([Bad])


def test_msgspec_and_pydantic_events_are_sealed_too():
    @fabula.event("personal_test.struct")
    class Struct(msgspec.Struct, frozen=True):
        who: str
        phone: Annotated[str, fabula.Personal(subject="who")]

    @fabula.event("personal_test.model")
    class Model(pydantic.BaseModel):
        who: str
        phone: Annotated[str, fabula.Personal(subject="who")]

    registry = EventRegistry([Struct, Model])
    assert len(registry.personal_fields(Struct)) == 1
    assert len(registry.personal_fields(Model)) == 1
    store = MemoryStore()
    events = [Struct("p1", "555-1"), Model(who="p1", phone="555-2")]
    keyring = fabula.codec.Keyring(store)
    keys = keyring.keys_for(registry, events)
    records = encode_new(
        registry, events, metadata=None, causation_id=None, correlation_id=None, keys=keys
    )
    assert all("555-" not in r.data for r in records)
    store.append("people-p1", records)
    opened = keyring.open(store.read_stream("people-p1"))
    assert [decode_recorded(registry, r).event for r in opened] == events
    fabula.PersonalData(store).forget("p1")
    opened = keyring.open(store.read_stream("people-p1"))
    assert [decode_recorded(registry, r).event.phone for r in opened] == [fabula.REDACTED] * 2


def test_encoding_without_keys_and_decoding_unopened_records_are_codec_errors():
    registry = EventRegistry([Registered])
    with pytest.raises(fabula.CodecError, match="Keyring"):
        encode_new(
            registry, [registered("c1")], metadata=None, causation_id=None, correlation_id=None
        )
    store = MemoryStore()
    fabula.Repository(store, Customer).append("customer-c1", [registered("c1")])
    [record] = store.read_stream("customer-c1")
    with pytest.raises(fabula.CodecError, match="still sealed"):
        decode_recorded(registry, record)


def test_a_subject_that_is_not_a_str_is_refused_before_writing():
    store = MemoryStore()
    repo = fabula.Repository(store, Customer)
    with pytest.raises(fabula.CodecError, match="non-empty str"):
        repo.append("customer-x", [Registered("", "x@example.com", None, "free")])
    assert store.head() == 0
