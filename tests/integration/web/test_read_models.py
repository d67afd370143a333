"""The apps' SQL read models agree with their domain folds (SQLite, handlers applied directly)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from examples._sql import SqlReadModel
from examples.bank import (
    BankAccountOpened,
    BankAccountQuery,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from examples.bank.read_model import bank_accounts
from examples.todo import (
    Completed,
    Created,
    Description,
    DescriptionUpdated,
    Reminder,
    ReminderUpdated,
    Todo,
    TodoEvent,
    todo,
)
from examples.todo_app.read_model import todo_list
from fabula import Recorded, fold
from fabula.codec import EventRegistry
from fabula.testing import ProjectionSpec

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def project(model: SqlReadModel, stream_id: str, events: Sequence[object]) -> sqlite3.Connection:
    """Apply a read model's SQLite handlers to ``events`` of one stream, in order."""
    projection = model.projection(postgres=False)
    registry = EventRegistry(projection.handlers.event_types)
    conn = sqlite3.connect(":memory:")
    for hook in projection.setup_hooks:
        hook(conn)
    for version, event in enumerate(events, start=1):
        recorded: Recorded[Any] = Recorded(
            event=event,
            stream_id=stream_id,
            version=version,
            position=100 + version,
            event_id=uuid.uuid4(),
            type=registry.type_of(type(event)).name,
            recorded_at=T0 + timedelta(seconds=version),
        )
        projection.entry(type(event)).handler(conn, recorded)
    return conn


def test_the_todo_list_follows_the_golden_history() -> None:
    # Seed 000's golden sequence ends at version 6 with "New text", no
    # reminder, not completed; the events that do not apply change nothing.
    golden: list[TodoEvent] = [
        Completed(),
        Created(Description("Hello!")),
        ReminderUpdated(Reminder(datetime(1970, 1, 1, 2, 46, 40, tzinfo=UTC))),
        DescriptionUpdated(Description("New text")),
        Created(Description("Ignored!")),
        ReminderUpdated(None),
    ]
    state = fold(todo, golden)
    conn = project(todo_list(), "todo-golden", golden)
    rows = conn.execute(
        "SELECT todo_id, position, version, description, reminder, completed FROM todo_list"
    ).fetchall()
    assert rows == [("golden", 102, 6, "New text", None, 0)]
    assert state == Todo(description=Description("New text"))


def test_a_reminder_and_completion_show_in_the_list() -> None:
    reminder = Reminder(datetime(2100, 1, 1, tzinfo=UTC))
    conn = project(
        todo_list(),
        "todo-1",
        [Created(Description("a")), ReminderUpdated(reminder), Completed()],
    )
    assert conn.execute("SELECT reminder, completed, version FROM todo_list").fetchall() == [
        ("2100-01-01T00:00:00+00:00", 1, 3)
    ]


def test_the_bank_read_model_is_the_query_fold() -> None:
    history = [
        BankAccountOpened("a1"),
        CustomerDepositedMoney(Decimal(1000), Decimal(1000)),
        CustomerWroteCheck("1170", Decimal("256.28"), Decimal("743.72")),
        CustomerWithdrewCash(Decimal(400), Decimal("343.72")),
        CustomerWroteCheck("1171", Decimal(1), Decimal("342.72")),
    ]
    expected = ProjectionSpec(BankAccountQuery).given(*history)
    conn = project(bank_accounts(), "bank_account-a1", history)
    account_id, balance = conn.execute("SELECT account_id, balance FROM bank_accounts").fetchone()
    checks = [
        c for (c,) in conn.execute("SELECT check_number FROM bank_account_checks ORDER BY position")
    ]
    expected.then(
        BankAccountQuery(account_id=account_id, balance=Decimal(balance), written_checks=checks)
    )
