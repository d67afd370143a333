"""The on-demand account summary folds balance and last update from the envelopes (section G)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from examples.balance import (
    EVENTS,
    Account,
    AccountCreated,
    AccountView,
    BalanceChanged,
    ModifyBalance,
    account_summary,
    stream_of,
)
from fabula import Flow, Recorded
from fabula.codec import EventRegistry
from fabula.store.memory import MemoryStore

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def recorded(event: object, version: int, at: datetime) -> Recorded[Any]:
    return Recorded(
        event=event,
        stream_id="account-x",
        version=version,
        position=version,
        event_id=uuid4(),
        type=EventRegistry(EVENTS).type_of(type(event)).name,
        recorded_at=at,
    )


def test_an_empty_history_is_a_zero_view() -> None:
    assert account_summary.fold([]) == AccountView(balance=0, last_updated=None)


def test_balance_sums_and_last_updated_is_the_last_change_time() -> None:
    later = datetime(2024, 5, 2, tzinfo=UTC)
    latest = datetime(2024, 5, 3, tzinfo=UTC)
    history = [
        recorded(BalanceChanged(1000, T0), 1, T0),
        recorded(BalanceChanged(-958, T0), 2, later),
        recorded(AccountCreated("Leonardo", T0), 3, latest),
    ]
    assert account_summary.fold_recorded(history) == AccountView(balance=42, last_updated=later)


def test_folded_from_a_stored_stream() -> None:
    store = MemoryStore()
    flow = Flow(store)
    flow.register(Account, stream_id=stream_of)
    account_id = uuid4()
    flow.dispatch(ModifyBalance(account_id=account_id, amount=50, changed_at=T0))
    last = flow.dispatch(ModifyBalance(account_id=account_id, amount=-8, changed_at=T0))
    stored = store.read_stream(last.stream_id)
    view = account_summary.fold(stored)
    assert view == AccountView(balance=42, last_updated=stored[-1].recorded_at)
