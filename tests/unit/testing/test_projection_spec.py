"""ProjectionSpec folds events through a decider, an Aggregate read model or a function."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from fabula import ConfigurationError
from fabula.testing import ProjectionSpec

from .models import CardState, Charged, Issued, Spending, card


@dataclass(frozen=True)
class Totals:
    count: int = 0
    amount: int = 0


def count_charges(state: Totals, item: Charged) -> Totals:
    return replace(state, count=state.count + 1, amount=state.amount + item.amount)


def test_a_decider_is_a_fold() -> None:
    ProjectionSpec(card).given(Issued("ann"), Charged(2), Charged(3)).then(CardState("ann", 5))


def test_an_aggregate_read_model_is_a_fold() -> None:
    spec = ProjectionSpec(Spending).given(Charged(2), Charged(3))
    assert spec.then(Spending(charges=2, total=5)) == Spending(charges=2, total=5)
    # The in-place fold starts afresh each time.
    assert spec.state() == spec.state() == Spending(charges=2, total=5)


def test_a_plain_function_with_an_initial_state() -> None:
    ProjectionSpec(count_charges, initial=Totals()).given(Charged(4)).then(Totals(1, 4))


def test_initial_replaces_the_views_own_start_and_is_copied() -> None:
    start = Spending(charges=10, total=100)
    spec = ProjectionSpec(Spending, initial=start).given(Charged(1))
    spec.then(Spending(charges=11, total=101))
    spec.then(Spending(charges=11, total=101))
    assert start == Spending(charges=10, total=100)


def test_no_events_gives_the_initial_state() -> None:
    ProjectionSpec(Spending).then(Spending())


def test_a_wrong_state_fails_with_the_fields_that_differ() -> None:
    with pytest.raises(AssertionError) as failure:
        ProjectionSpec(Spending).given(Charged(2)).then(Spending(charges=1, total=3))
    message = str(failure.value)
    assert message.startswith("ProjectionSpec(spending): the events fold to another state")
    assert "total: expected 3" in message
    assert "actual   2" in message
    assert "charges" not in message
    assert "given (1 event):\n      [0] Charged(amount=2)" in message


def test_a_wrong_state_of_another_type_shows_both() -> None:
    with pytest.raises(AssertionError, match=r"expected: \(1, 4\)\n    actual:   Totals"):
        ProjectionSpec(count_charges, initial=Totals()).given(Charged(4)).then((1, 4))  # type: ignore[arg-type]


def test_a_function_needs_an_initial_state() -> None:
    with pytest.raises(ConfigurationError, match="needs initial="):
        ProjectionSpec(count_charges)  # type: ignore[call-overload]


def test_something_that_is_no_fold_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="needs a Decider"):
        ProjectionSpec(42)  # type: ignore[call-overload]
