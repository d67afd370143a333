"""The schema-evolution API keeps its types (mypy and pyright check ``assert_type``).

At run time each block also runs, on memory stores.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, assert_type

from fabula.codec import EventRegistry, decode_parts, encode_new, merge_lookups
from fabula.domain import Recorded, event
from fabula.evolution import (
    CheckReport,
    CopyReport,
    CurrentCode,
    check_async_store,
    check_store,
    copy_async_store,
    copy_store,
)
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.testing import assert_upcasts


@event("TypedNew", version=2)
@dataclass(frozen=True)
class New:
    name: str


@dataclass(frozen=True)
class Old:
    title: str


def test_upcasters_keep_the_decorated_function_type() -> None:
    registry = EventRegistry([New])

    @registry.typed_upcaster("TypedNew", from_version=1)
    def lift(old: Old) -> New:
        return New(old.title)

    @registry.splitter("Both", from_version=1, into=(New,))
    def split(payload: dict[str, Any]) -> list[object]:
        return [New(payload["a"]), New(payload["b"])]

    assert_type(lift(Old("t")), New)
    assert_type(registry.decode_all("Both", 1, b'{"a": "x", "b": "y"}'), list[Any])
    assert_upcasts(registry, "TypedNew", {"title": "t"}, New("t"))
    store = MemoryStore()
    store.append(
        "s", encode_new(registry, [New("n")], metadata=None, causation_id=None, correlation_id=None)
    )
    assert_type(decode_parts(registry, store.read_all()[0]), list[Recorded[Any]])

    @registry.merger(["A", "B"], into=(New,))
    def merge(payloads: list[dict[str, Any]]) -> list[object]:
        return [New("".join(p["x"] for p in payloads))]

    assert_type(merge_lookups(registry, store.read_all()), list[tuple[str, int, int]])


def test_check_and_copy_return_their_reports() -> None:
    code = CurrentCode(EventRegistry([New]))
    source = MemoryStore()
    assert_type(check_store(source, code), CheckReport)
    assert_type(copy_store(source, MemoryStore()), CopyReport)

    async def asyncio_twins() -> None:
        store = AsyncMemoryStore()
        assert_type(await check_async_store(store, code), CheckReport)
        assert_type(await copy_async_store(store, AsyncMemoryStore()), CopyReport)

    asyncio.run(asyncio_twins())
