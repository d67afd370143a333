"""The bank account keeps the decider laws, and its balance never goes negative (property-based)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

from examples.bank import (
    BankAccount,
    BankAccountCommand,
    DepositMoney,
    OpenBankAccount,
    WithdrawMoney,
    WriteCheck,
)
from fabula import DomainError, fold
from fabula.testing import assert_replay_consistent

amounts = st.decimals(min_value=-5, max_value=500, places=2, allow_nan=False)
commands: st.SearchStrategy[BankAccountCommand] = st.one_of(
    st.just(OpenBankAccount("a")),
    st.builds(DepositMoney, st.just("a"), amounts),
    st.builds(WithdrawMoney, st.just("a"), amounts),
    st.builds(WriteCheck, st.just("a"), st.sampled_from(["1", "2"]), amounts),
)


@given(st.lists(commands, max_size=12))
def test_laws_hold_and_the_balance_never_goes_negative(script: list[BankAccountCommand]) -> None:
    decider = BankAccount.decider
    history: list[object] = []
    for command in script:
        history.extend(assert_replay_consistent(BankAccount, history, command))
        state = fold(decider, history)
        assert state.balance >= 0


@given(st.lists(amounts, max_size=8))
def test_the_balance_is_the_sum_of_accepted_deposits(deposits: list[Decimal]) -> None:
    decider = BankAccount.decider
    state = fold(decider, decider.decide(OpenBankAccount("a"), decider.initial_state()))
    accepted = Decimal(0)
    for amount in deposits:
        try:
            events = decider.decide(DepositMoney("a", amount), state)
        except DomainError:
            assert amount <= 0
            continue
        state = fold(decider, events, state)
        accepted += amount
    assert state.balance == accepted
