"""The ``bank_accounts`` read model: ``BankAccountQuery`` kept in SQL by a projection.

Money events carry the resulting balance (the seed's design), so each one simply sets
it; check numbers go to a table of their own, in the order they were written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from examples._sql import PARK_AND_CONTINUE, Sql, SqlReadModel
from examples.bank.events import (
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from examples.bank.query import BankAccountQuery
from fabula import Recorded
from fabula.read import ErrorPolicy

__all__ = ["bank_accounts", "find_account"]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS bank_accounts ("
    " stream_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, balance TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bank_account_checks ("
    " stream_id TEXT NOT NULL, position BIGINT NOT NULL, check_number TEXT NOT NULL,"
    " PRIMARY KEY (stream_id, position))",
]


def opened(recorded: Recorded[BankAccountOpened]) -> list[Sql]:
    """A new row with a zero balance."""
    return [
        Sql(
            "INSERT INTO bank_accounts (stream_id, account_id, balance) VALUES (?, ?, '0')",
            (recorded.stream_id, recorded.event.account_id),
        )
    ]


def balance_changed(recorded: Recorded[Any]) -> list[Sql]:
    """Take the balance the event carries."""
    return [
        Sql(
            "UPDATE bank_accounts SET balance = ? WHERE stream_id = ?",
            (str(recorded.event.balance), recorded.stream_id),
        )
    ]


def check_written(recorded: Recorded[CustomerWroteCheck]) -> list[Sql]:
    """Take the balance, and note the check."""
    return [
        *balance_changed(recorded),
        Sql(
            "INSERT INTO bank_account_checks (stream_id, position, check_number) VALUES (?, ?, ?)",
            (recorded.stream_id, recorded.position, recorded.event.check_number),
        ),
    ]


def bank_accounts(*, policy: ErrorPolicy = PARK_AND_CONTINUE) -> SqlReadModel:
    """Return a new (not yet started) ``bank_accounts`` read model.

    Args:
        policy: what its runner does with a poison event (default: park it, go on).
    """
    return SqlReadModel(
        "bank_accounts",
        schema=SCHEMA,
        tables=["bank_accounts", "bank_account_checks"],
        handlers={
            BankAccountOpened: opened,
            CustomerDepositedMoney: balance_changed,
            CustomerWithdrewCash: balance_changed,
            CustomerWroteCheck: check_written,
        },
        policy=policy,
    )


async def find_account(model: SqlReadModel, stream_id: str) -> BankAccountQuery | None:
    """Return the ``BankAccountQuery`` of an account's stream, or ``None`` if it is not open."""
    row = await model.fetch_one(
        "SELECT account_id, balance FROM bank_accounts WHERE stream_id = ?", (stream_id,)
    )
    if row is None:
        return None
    checks = await model.fetch_all(
        "SELECT check_number FROM bank_account_checks WHERE stream_id = ? ORDER BY position",
        (stream_id,),
    )
    return BankAccountQuery(
        account_id=row[0],
        balance=Decimal(row[1]),
        written_checks=[check for (check,) in checks],
    )
