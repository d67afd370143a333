"""Bank account events keep their stable type names and JSON payloads (section D)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from examples.bank import (
    EVENTS,
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from fabula.codec import EventRegistry


@pytest.mark.parametrize(
    ("value", "name", "payload"),
    [
        (BankAccountOpened("a1"), "BankAccountOpened", '{"account_id":"a1"}'),
        (
            CustomerDepositedMoney(Decimal("200.50"), Decimal("200.50")),
            "CustomerDepositedMoney",
            '{"amount":"200.50","balance":"200.50"}',
        ),
        (
            CustomerWithdrewCash(Decimal(100), Decimal("100.50")),
            "CustomerWithdrewCash",
            '{"amount":"100","balance":"100.50"}',
        ),
        (
            CustomerWroteCheck("1170", Decimal("256.28"), Decimal("343.72")),
            "CustomerWroteCheck",
            '{"check_number":"1170","amount":"256.28","balance":"343.72"}',
        ),
    ],
)
def test_pinned_json(value: object, name: str, payload: str) -> None:
    registry = EventRegistry(EVENTS)
    assert registry.encode(value) == (name, 1, payload)
    assert registry.decode(name, 1, payload) == value
