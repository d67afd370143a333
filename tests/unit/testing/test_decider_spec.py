"""DeciderSpec passes on the right outcome and fails, readably, on any other, in both styles."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fabula import UnknownCommand
from fabula.domain import Decider
from fabula.testing import DeciderSpec

from .models import (
    AlreadyIssued,
    Card,
    CardState,
    Charge,
    Charged,
    Issue,
    Issued,
    NotIssued,
    card,
)

STYLES = [pytest.param(card, id="decider"), pytest.param(Card, id="aggregate")]


def state_of(model: Any, holder: str | None, spent: int) -> object:
    return (
        CardState(holder, spent) if isinstance(model, Decider) else Card(holder=holder, spent=spent)
    )


@pytest.mark.parametrize("model", STYLES)
def test_passing_specs_return_quietly(model: Any) -> None:
    spec = DeciderSpec(model)
    spec.when(Issue("ann")).then(Issued("ann")).then_state(state_of(model, "ann", 0))
    spec.given(Issued("ann")).when(Charge(0)).then_nothing()
    spec.given(Issued("ann"), Charged(2)).when(Charge(3)).then(Charged(3)).then_state(
        state_of(model, "ann", 5)
    )
    error = spec.when(Charge(1)).then_raises(
        NotIssued, code="not_issued", message="the card is not issued"
    )
    assert isinstance(error, NotIssued)


@pytest.mark.parametrize("model", STYLES)
def test_given_accumulates_and_never_changes_the_spec(model: Any) -> None:
    base = DeciderSpec(model)
    issued = base.given(Issued("ann"))
    twice = issued.given(Charged(1), Charged(2))
    assert twice.given_state() == state_of(model, "ann", 3)
    assert issued.given_state() == state_of(model, "ann", 0)
    base.when(Issue("bo")).then(Issued("bo"))


@pytest.mark.parametrize("model", STYLES)
def test_wrong_events_fail_with_expected_and_actual(model: Any) -> None:
    outcome = DeciderSpec(model).given(Issued("ann")).when(Charge(5))
    with pytest.raises(AssertionError) as failure:
        outcome.then(Charged(6))
    message = str(failure.value)
    assert "the command decided other events than expected" in message
    assert "expected (1 event):\n    ! [0] Charged(amount=6)" in message
    assert "actual (1 event):\n    ! [0] Charged(amount=5)" in message
    assert "first difference at index 0:\n    Charged, fields that differ:" in message
    assert "amount: expected 6\n" in message
    assert "given (1 event):\n      [0] Issued(holder='ann')" in message
    assert "when: Charge(amount=5)" in message


@pytest.mark.parametrize("model", STYLES)
def test_missing_and_extra_events_fail(model: Any) -> None:
    outcome = DeciderSpec(model).given(Issued("ann")).when(Charge(5))
    with pytest.raises(AssertionError, match="first difference at index 1"):
        outcome.then(Charged(5), Charged(5))
    with pytest.raises(AssertionError, match=r"expected \(0 events\):\n    \(none\)"):
        outcome.then()


@pytest.mark.parametrize("model", STYLES)
def test_then_nothing_fails_when_events_were_decided(model: Any) -> None:
    with pytest.raises(AssertionError) as failure:
        DeciderSpec(model).given(Issued("ann")).when(Charge(5)).then_nothing()
    assert "expected no events, but the command decided 1 event:" in str(failure.value)
    assert "[0] Charged(amount=5)" in str(failure.value)


@pytest.mark.parametrize("model", STYLES)
def test_then_fails_when_the_command_raised_and_chains_the_error(model: Any) -> None:
    with pytest.raises(AssertionError) as failure:
        DeciderSpec(model).when(Charge(5)).then(Charged(5))
    assert "expected 1 event, but the command raised NotIssued" in str(failure.value)
    assert isinstance(failure.value.__cause__, NotIssued)


@pytest.mark.parametrize("model", STYLES)
def test_then_raises_fails_when_events_were_decided(model: Any) -> None:
    with pytest.raises(AssertionError) as failure:
        DeciderSpec(model).when(Issue("ann")).then_raises(AlreadyIssued)
    message = str(failure.value)
    assert "expected AlreadyIssued to be raised, but the command decided 1 event:" in message
    assert "[0] Issued(holder='ann')" in message


@pytest.mark.parametrize("model", STYLES)
def test_then_raises_checks_type_code_and_message(model: Any) -> None:
    outcome = DeciderSpec(model).given(Issued("ann")).when(Issue("bo"))
    outcome.then_raises(AlreadyIssued, code="already_issued")
    with pytest.raises(AssertionError, match="expected NotIssued to be raised, but AlreadyIssued"):
        outcome.then_raises(NotIssued)
    with pytest.raises(AssertionError, match="with code 'already_issued', expected 'nope'"):
        outcome.then_raises(AlreadyIssued, code="nope")
    with pytest.raises(
        AssertionError,
        match=re.escape("with message 'the card is already issued', expected 'other'"),
    ):
        outcome.then_raises(AlreadyIssued, message="other")


@pytest.mark.parametrize("model", STYLES)
def test_then_state_fails_with_the_fields_that_differ(model: Any) -> None:
    outcome = DeciderSpec(model).given(Issued("ann")).when(Charge(5))
    with pytest.raises(AssertionError) as failure:
        outcome.then_state(state_of(model, "ann", 6))
    message = str(failure.value)
    assert "the state after the decided events is not the expected one" in message
    assert "spent: expected 6" in message
    assert "actual   5" in message
    assert "holder" not in message.split("state:")[1].split("given")[0]


@pytest.mark.parametrize("model", STYLES)
def test_then_state_is_repeatable(model: Any) -> None:
    # Class-style evolve changes the state in place: a second check must not see it twice.
    outcome = DeciderSpec(model).given(Issued("ann")).when(Charge(5))
    outcome.then_state(state_of(model, "ann", 5)).then_state(state_of(model, "ann", 5))
    assert outcome.state() == state_of(model, "ann", 5)


def test_unexpected_exceptions_are_reported_not_swallowed() -> None:
    outcome = DeciderSpec(Card).when(object())
    outcome.then_raises(UnknownCommand)
    with pytest.raises(AssertionError, match="the command raised UnknownCommand") as failure:
        outcome.then_nothing()
    assert isinstance(failure.value.__cause__, UnknownCommand)


def test_outcome_exposes_events_and_error() -> None:
    done = DeciderSpec(card).given(Issued("ann")).when(Charge(2))
    assert done.events == (Charged(2),)
    assert done.error is None
    refused = DeciderSpec(card).when(Charge(2))
    assert refused.events == ()
    assert isinstance(refused.error, NotIssued)
    assert refused.error.params == {"amount": 2}
