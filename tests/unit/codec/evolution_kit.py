"""A small domain whose history was written by older code: renames, versions and a split.

Old code stored:
- ``CustomerRegistered`` v1 ``{"name", "street"}``: now split into ``Joined`` + ``Moved``;
- ``Renamed`` v1 ``{"name"}``: the type is now called ``NameChanged`` (v2 adds ``by``);
- ``Noise`` v1: dropped (split into nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import msgspec

from fabula.codec import EventRegistry
from fabula.domain import Decider, event
from fabula.store import NewEvent

__all__ = ["Closed", "Customer", "Joined", "Moved", "NameChanged", "OldRenamed", "old", "registry"]


@event("Joined")
@dataclass(frozen=True)
class Joined:
    name: str


@event("Moved")
@dataclass(frozen=True)
class Moved:
    street: str


@event("NameChanged", version=2)
@dataclass(frozen=True)
class NameChanged:
    name: str
    by: str


@event("Closed", version=2)
@dataclass(frozen=True)
class Closed:
    """At version 2, with no upcaster from 1: a stored v1 ``Closed`` cannot be read."""

    reason: str


@dataclass(frozen=True)
class OldRenamed:
    """``Renamed`` v1 as the old code wrote it (a typed upcaster's input)."""

    name: str


@dataclass(frozen=True)
class Customer:
    name: str = ""
    street: str = ""
    changes: list[str] = field(default_factory=list)


def registry() -> EventRegistry:
    """The current code's registry, with every upcaster the old history needs."""
    codec = EventRegistry([Joined, Moved, NameChanged, Closed])
    codec.rename("Renamed", to=NameChanged)

    @codec.typed_upcaster("NameChanged", from_version=1)
    def by_nobody(old: OldRenamed) -> NameChanged:
        return NameChanged(old.name, by="unknown")

    @codec.splitter("CustomerRegistered", from_version=1, into=(Joined, Moved))
    def split(payload: dict[str, Any]) -> list[object]:
        return [Joined(payload["name"]), Moved(payload["street"])]

    @codec.splitter("Noise", from_version=1, into=(Joined,))
    def drop(payload: dict[str, Any]) -> list[object]:
        return []

    @codec.merger(["Line1", "Line2"], into=(Moved,))
    def merge(payloads: list[dict[str, Any]]) -> list[object]:
        return [Moved(", ".join(p["text"] for p in payloads))]

    @codec.metadata_upcaster()
    def tenant(metadata: dict[str, Any]) -> dict[str, Any]:
        return {"tenant": "default", **metadata}

    return codec


def evolve(state: Customer, item: object) -> Customer:
    if isinstance(item, Joined):
        return replace(state, name=item.name)
    if isinstance(item, Moved):
        return replace(state, street=item.street)
    if isinstance(item, NameChanged):
        return replace(state, name=item.name, changes=[*state.changes, item.by])
    return state


def decider(**options: Any) -> Decider[Customer, object, object]:
    return Decider(
        name="customer",
        initial_state=Customer,
        decide=lambda command, state: [],
        evolve=evolve,
        events=(Joined, Moved, NameChanged),
        state_type=Customer,
        **options,
    )


def old(type_name: str, payload: dict[str, Any], *, metadata: str = "{}") -> NewEvent:
    """A record as the old code appended it (schema version 1)."""
    from fabula.app import uuid7

    return NewEvent(
        event_id=uuid7(),
        type=type_name,
        data=msgspec.json.encode(payload).decode(),
        metadata=metadata,
    )


def history() -> list[NewEvent]:
    """Versions 1, 2, 3 of a customer stream: a split, a dropped event and a renamed one."""
    return [
        old("CustomerRegistered", {"name": "Ann", "street": "Elm"}),
        old("Noise", {"x": 1}),
        old("Renamed", {"name": "Anna"}, metadata='{"user": "u1"}'),
    ]


HISTORY = history()
"""One such history (fixed event ids: append it once per store)."""
