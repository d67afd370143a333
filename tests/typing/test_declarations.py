"""Short declarations stay typed: plain event classes, declared tables, sets built from a flow."""

from __future__ import annotations

import dataclasses
from typing import assert_type

import pytest

import fabula
from fabula.read import AsyncProjectionSet, Projection, ProjectionSet
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.store.memory import AsyncMemoryStore, MemoryStore


@fabula.event("typed_plain_added")
class PlainAdded:
    title: str
    count: int = 1


def test_a_plain_event_class_is_a_frozen_dataclass_to_the_checkers() -> None:
    added = PlainAdded("x")
    assert_type(added, PlainAdded)
    assert_type(added.count, int)
    with pytest.raises(dataclasses.FrozenInstanceError):
        added.title = "y"  # type: ignore[misc]


def test_a_mapping_declares_tables_and_a_flow_gives_a_set_its_registry() -> None:
    todo = Projection("typed_todo", tables={"typed_todo": "title TEXT"})
    assert_type(todo.tables, tuple[str, ...])
    flow = fabula.Flow(MemoryStore())
    projections = ProjectionSet(flow, MemoryTarget(), consumers=[todo])
    assert_type(projections.registry, fabula.EventRegistry)
    assert projections.registry is flow.registry
    other = AsyncProjectionSet(
        fabula.AsyncFlow(AsyncMemoryStore()), AsyncMemoryTarget(), consumers=[]
    )
    assert_type(other, AsyncProjectionSet)
