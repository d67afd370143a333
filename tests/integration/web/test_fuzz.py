"""The REST apps' OpenAPI contracts, fuzzed: no request makes a server error (SQLite)."""

from __future__ import annotations

from examples.balance.app import create_app as balance_app
from examples.bank.app import create_app as bank_app
from examples.orders.app import create_app as orders_app

from .conftest import AUTH, as_user
from .fuzz import fuzz


def test_bank(fabula_sqlite_url: str) -> None:
    assert fuzz(bank_app(fabula_sqlite_url), examples=30) > 100


def test_orders(fabula_sqlite_url: str) -> None:
    app = orders_app(fabula_sqlite_url, auth=AUTH)
    skip = ["/customers/{customer_id}/orders/events"]
    assert fuzz(app, examples=25, skip=skip, headers=as_user("c1", "orders:ship")) > 150


def test_balance(fabula_sqlite_url: str) -> None:
    assert fuzz(balance_app(fabula_sqlite_url), examples=30) > 100
