"""The bank account, as the seed's HandlerTester checks it, plus fabula's added rules (section D).

In the seed an "empty account" is one with no events; fabula refuses to move money on an
account that was never opened, so here an empty account is an opened one with no money.
"""

from __future__ import annotations

from decimal import Decimal

from examples.bank import (
    AccountAlreadyOpen,
    AccountNotOpen,
    BankAccount,
    BankAccountOpened,
    CustomerDepositedMoney,
    CustomerWithdrewCash,
    CustomerWroteCheck,
    DepositMoney,
    FundsNotAvailable,
    InvalidAmount,
    OpenBankAccount,
    WithdrawMoney,
    WriteCheck,
    stream_id,
    stream_of,
)
from fabula.testing import DeciderSpec

ID = "acct-1"
spec = DeciderSpec(BankAccount)
empty = spec.given(BankAccountOpened(ID))
with_200 = empty.given(CustomerDepositedMoney(Decimal(200), Decimal(200)))


def test_open() -> None:
    spec.when(OpenBankAccount(ID)).then(BankAccountOpened(ID)).then_state(
        BankAccount(account_id=ID, balance=Decimal(0))
    )


def test_open_twice_is_refused() -> None:
    empty.when(OpenBankAccount(ID)).then_raises(
        AccountAlreadyOpen, code="account_already_open", message="bank account is already open"
    )


def test_deposit_on_an_empty_account_then_again() -> None:
    # Seed: deposit 200 on an empty account gives balance 200; then 200 more gives 400.
    empty.when(DepositMoney(ID, Decimal(200))).then(
        CustomerDepositedMoney(Decimal(200), Decimal(200))
    ).then_state(BankAccount(account_id=ID, balance=Decimal(200)))
    with_200.when(DepositMoney(ID, Decimal(200))).then(
        CustomerDepositedMoney(Decimal(200), Decimal(400))
    )


def test_withdraw_after_a_deposit() -> None:
    # Seed: after a 200 deposit, withdraw 100 gives balance 100.
    with_200.when(WithdrawMoney(ID, Decimal(100))).then(
        CustomerWithdrewCash(Decimal(100), Decimal(100))
    ).then_state(BankAccount(account_id=ID, balance=Decimal(100)))


def test_withdraw_from_an_empty_account_is_refused() -> None:
    error = empty.when(WithdrawMoney(ID, Decimal(200))).then_raises(
        FundsNotAvailable, code="funds_not_available", message="funds not available"
    )
    assert error.params == {"balance": "0", "amount": "200"}


def test_withdrawing_the_whole_balance_is_allowed() -> None:
    with_200.when(WithdrawMoney(ID, Decimal(200))).then(
        CustomerWithdrewCash(Decimal(200), Decimal(0))
    )


def test_write_check_after_a_deposit() -> None:
    # Seed: check "1170" for 100 after a 200 deposit gives balance 100.
    with_200.when(WriteCheck(ID, "1170", Decimal(100))).then(
        CustomerWroteCheck("1170", Decimal(100), Decimal(100))
    ).then_state(BankAccount(account_id=ID, balance=Decimal(100)))


def test_write_check_on_an_empty_account_is_refused() -> None:
    empty.when(WriteCheck(ID, "1170", Decimal(100))).then_raises(
        FundsNotAvailable, message="funds not available"
    )


def test_cents_are_exact() -> None:
    funded = empty.given(CustomerDepositedMoney(Decimal(1000), Decimal(1000)))
    funded.given(CustomerWithdrewCash(Decimal(400), Decimal(600))).when(
        WriteCheck(ID, "1170", Decimal("256.28"))
    ).then(CustomerWroteCheck("1170", Decimal("256.28"), Decimal("343.72")))


def test_money_moves_only_on_an_open_account() -> None:
    for command in (
        DepositMoney(ID, Decimal(1)),
        WithdrawMoney(ID, Decimal(1)),
        WriteCheck(ID, "1", Decimal(1)),
    ):
        spec.when(command).then_raises(
            AccountNotOpen, code="account_not_open", message="bank account is not open"
        )


def test_amounts_must_be_positive() -> None:
    for command in (
        DepositMoney(ID, Decimal(0)),
        WithdrawMoney(ID, Decimal(-5)),
        WriteCheck(ID, "1", Decimal(0)),
    ):
        with_200.when(command).then_raises(
            InvalidAmount, code="invalid_amount", message="amount must be positive"
        )


def test_streams() -> None:
    assert stream_id(ID) == "bank_account-acct-1"
    assert stream_of(DepositMoney(ID, Decimal(1))) == "bank_account-acct-1"
