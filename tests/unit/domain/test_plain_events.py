"""``@fabula.event`` on a plain annotated class makes it a frozen dataclass; others are kept."""

from __future__ import annotations

import dataclasses

import msgspec
import pytest

import fabula
from fabula import EventRegistry


@fabula.event("plain_noted")
class Noted:
    text: str
    count: int = 1


@fabula.event("plain_struct_noted")
class StructNoted(msgspec.Struct, frozen=True):
    text: str


@fabula.event("plain_mutable_noted")
@dataclasses.dataclass
class MutableNoted:
    text: str


def test_a_plain_class_becomes_a_frozen_dataclass_that_round_trips() -> None:
    noted = Noted("hello")
    assert dataclasses.is_dataclass(noted)
    assert noted == Noted("hello", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        noted.text = "changed"  # type: ignore[misc]
    registry = EventRegistry([Noted])
    name, version, data = registry.encode(noted)
    assert (name, version) == ("plain_noted", 1)
    assert registry.decode(name, version, data) == noted


def test_structs_and_dataclasses_are_kept_as_they_are() -> None:
    assert not dataclasses.is_dataclass(StructNoted)
    assert not MutableNoted.__dataclass_params__.frozen  # type: ignore[attr-defined]
