"""The ``account_balances`` read model: the account summary kept in SQL (seed 004, section G).

The seed's dedicated read model is a table ``accounts(account_id, balance)`` updated with
``balance = balance + amount`` per event; this one also keeps ``last_updated``, so it
answers the same ``AccountView`` as the on-demand fold.
"""

from __future__ import annotations

from datetime import datetime

from examples._sql import Sql, SqlReadModel
from examples.balance.events import BalanceChanged
from examples.balance.view import AccountView
from fabula import Recorded

__all__ = ["account_balances", "find_balance"]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS account_balances ("
    " stream_id TEXT PRIMARY KEY, balance BIGINT NOT NULL, last_updated TEXT NOT NULL)"
]


def balance_changed(recorded: Recorded[BalanceChanged]) -> list[Sql]:
    """Add the amount to the balance (a new account starts at 0)."""
    return [
        Sql(
            "INSERT INTO account_balances (stream_id, balance, last_updated) VALUES (?, ?, ?)"
            " ON CONFLICT (stream_id) DO UPDATE SET"
            " balance = account_balances.balance + excluded.balance,"
            " last_updated = excluded.last_updated",
            (recorded.stream_id, recorded.event.amount, recorded.recorded_at.isoformat()),
        )
    ]


def account_balances() -> SqlReadModel:
    """Return a new (not yet started) ``account_balances`` read model."""
    return SqlReadModel(
        "account_balances",
        schema=SCHEMA,
        tables=["account_balances"],
        handlers={BalanceChanged: balance_changed},
    )


async def find_balance(model: SqlReadModel, stream_id: str) -> AccountView | None:
    """Return the summary of an account's stream from the read model, if it has one."""
    row = await model.fetch_one(
        "SELECT balance, last_updated FROM account_balances WHERE stream_id = ?", (stream_id,)
    )
    if row is None:
        return None
    return AccountView(balance=row[0], last_updated=datetime.fromisoformat(row[1]))
