"""Account events keep Estoria's type names and their JSON payloads (section G)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from examples.balance import (
    EVENTS,
    AccountCreated,
    AccountDeleted,
    BalanceChanged,
    UserAdded,
    UserRemoved,
)
from fabula.codec import EventRegistry

T = datetime(2024, 5, 1, 12, tzinfo=UTC)
TEXT = "2024-05-01T12:00:00Z"


@pytest.mark.parametrize(
    ("value", "name", "payload"),
    [
        (AccountCreated("Leo", T), "accountcreated", f'{{"username":"Leo","created_at":"{TEXT}"}}'),
        (AccountDeleted("gone", T), "accountdeleted", f'{{"reason":"gone","deleted_at":"{TEXT}"}}'),
        (UserAdded("Raph", T), "useradded", f'{{"username":"Raph","added_at":"{TEXT}"}}'),
        (UserRemoved("Raph", T), "userremoved", f'{{"username":"Raph","removed_at":"{TEXT}"}}'),
        (BalanceChanged(-500, T), "balancechanged", f'{{"amount":-500,"changed_at":"{TEXT}"}}'),
    ],
)
def test_pinned_json(value: object, name: str, payload: str) -> None:
    registry = EventRegistry(EVENTS)
    assert registry.encode(value) == (name, 1, payload)
    assert registry.decode(name, 1, payload) == value
