"""On-demand projection of one stream (seed 004's account summary)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import pytest

from fabula import CodecError, Recorded, event
from fabula.app import uuid7
from fabula.codec import EventRegistry, encode_json
from fabula.read import View
from fabula.store import NewEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore


@event("balancechanged")
@dataclass(frozen=True)
class BalanceChanged:
    amount: int


@event("useradded")
@dataclass(frozen=True)
class UserAdded:
    username: str


@dataclass(frozen=True)
class AccountView:
    balance: int = 0
    last_updated: datetime | None = None


summary = View(AccountView)


@summary.on(BalanceChanged)
def changed(view: AccountView, event: Recorded[BalanceChanged]) -> AccountView:
    return AccountView(view.balance + event.event.amount, event.recorded_at)


def _append(store: MemoryStore, *values: object) -> None:
    registry = EventRegistry([BalanceChanged, UserAdded])
    records = []
    for value in values:
        name, version, data = registry.encode(value)
        records.append(NewEvent(event_id=uuid7(), type=name, data=data, schema_version=version))
    store.append("account-1", records)


def test_folds_a_stream_on_demand_and_skips_unhandled_types() -> None:
    store = MemoryStore()
    _append(store, BalanceChanged(1000), UserAdded("m"), BalanceChanged(-500), BalanceChanged(250))
    view = summary.fold(store.read_stream("account-1"))
    last = store.read_stream("account-1")[-1]
    assert view == AccountView(750, last.recorded_at)
    assert summary.fold(store.read_stream("account-2")) == AccountView()


def test_fold_works_on_asyncio_reads_and_decoded_histories() -> None:
    store = AsyncMemoryStore()
    registry = EventRegistry([BalanceChanged])
    name, _, data = registry.encode(BalanceChanged(42))

    async def scenario() -> AccountView:
        await store.append("account-1", [NewEvent(event_id=uuid7(), type=name, data=data)])
        return summary.fold(await store.read_stream("account-1"))

    assert asyncio.run(scenario()).balance == 42


def test_in_place_handlers_and_a_start_value() -> None:
    users = View(lambda: {"names": []})  # type: ignore[var-annotated]

    @users.on(UserAdded)
    def added(view: dict[str, list[str]], event: Recorded[UserAdded]) -> None:
        view["names"].append(event.event.username)

    store = MemoryStore()
    _append(store, UserAdded("leonardo"), BalanceChanged(1), UserAdded("raphael"))
    assert users.fold(store.read_stream("account-1")) == {"names": ["leonardo", "raphael"]}
    assert users.fold(store.read_stream("account-1"), start={"names": ["x"]})["names"][0] == "x"


def test_a_handled_event_that_does_not_decode_raises() -> None:
    store = MemoryStore()
    store.append(
        "account-1", [NewEvent(event_id=uuid7(), type="balancechanged", data=encode_json({}))]
    )
    with pytest.raises(CodecError) as failed:
        summary.fold(store.read_stream("account-1"))
    assert (failed.value.stream_id, failed.value.version) == ("account-1", 1)
