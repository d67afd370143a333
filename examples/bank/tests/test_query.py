"""BankAccountQuery, as the seed's ConsumerTester would check it (seed 001, section D)."""

from __future__ import annotations

from decimal import Decimal

from examples.bank import (
    BankAccountOpened,
    BankAccountQuery,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
)
from fabula.testing import ProjectionSpec


def test_the_query_type() -> None:
    assert BankAccountQuery.query_type == "bank_account_query"


def test_balance_follows_every_money_event_and_checks_are_listed() -> None:
    ProjectionSpec(BankAccountQuery).given(
        BankAccountOpened("a1"),
        CustomerDepositedMoney(Decimal(1000), Decimal(1000)),
        CustomerWroteCheck("1170", Decimal("256.28"), Decimal("743.72")),
        CustomerWithdrewCash(Decimal(400), Decimal("343.72")),
        CustomerWroteCheck("1171", Decimal(1), Decimal("342.72")),
    ).then(
        BankAccountQuery(
            account_id="a1", balance=Decimal("342.72"), written_checks=["1170", "1171"]
        )
    )


def test_a_new_query_is_empty() -> None:
    ProjectionSpec(BankAccountQuery).given().then(
        BankAccountQuery(account_id=None, balance=Decimal(0), written_checks=[])
    )
