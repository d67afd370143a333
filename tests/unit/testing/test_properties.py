"""assert_replay_consistent holds for sound deciders and catches each broken law."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, strategies as st

from fabula.domain import Decider
from fabula.testing import assert_replay_consistent

from .models import Card, Charge, Charged, Issue, Issued, card

commands = st.one_of(
    st.builds(Issue, st.sampled_from(["ann", "bo"])),
    st.builds(Charge, st.integers(0, 5)),
)
histories = st.lists(
    st.one_of(st.builds(Issued, st.just("ann")), st.builds(Charged, st.integers(1, 5))),
    max_size=6,
)


@pytest.mark.parametrize("model", [card, Card], ids=["decider", "aggregate"])
@given(history=histories, command=commands)
def test_sound_deciders_keep_the_laws(model: Any, history: list[Any], command: Any) -> None:
    decided = assert_replay_consistent(model, history, command)
    assert all(isinstance(item, Issued | Charged) for item in decided)


def test_it_returns_the_decided_events_or_nothing_when_refused() -> None:
    assert assert_replay_consistent(card, [Issued("ann")], Charge(2)) == (Charged(2),)
    assert assert_replay_consistent(card, [], Charge(2)) == ()


@dataclass
class Bag:
    items: list[int] = field(default_factory=list)


def _append(state: Bag, item: int) -> Bag:
    return Bag([*state.items, item])


def test_a_decide_that_changes_its_state_is_caught() -> None:
    def decide(command: int, state: Bag) -> list[int]:
        state.items.append(command)
        return [command]

    sloppy = Decider(name="sloppy", initial_state=Bag, decide=decide, evolve=_append)
    with pytest.raises(AssertionError, match="sloppy: decide changed the state it was given"):
        assert_replay_consistent(sloppy, [1], 2)


def test_a_non_deterministic_decide_is_caught() -> None:
    counter = itertools.count()

    def decide(command: int, state: Bag) -> list[int]:
        return [next(counter)]

    clocky = Decider(name="clocky", initial_state=Bag, decide=decide, evolve=_append)
    with pytest.raises(AssertionError, match="clocky: decide is not deterministic") as failure:
        assert_replay_consistent(clocky, [], 1)
    assert "first time:\n      [0] 0" in str(failure.value)
    assert "second time:\n      [0] 1" in str(failure.value)


def test_an_evolve_that_depends_on_outside_state_is_caught() -> None:
    seen: list[int] = []

    def evolve(state: Bag, item: int) -> Bag:
        if item < 2:  # history folds the same each time: only the decided event leaks
            return Bag([*state.items, item])
        seen.append(item)
        return Bag([*state.items, len(seen)])

    leaky = Decider(name="leaky", initial_state=Bag, decide=lambda c, s: [c], evolve=evolve)
    with pytest.raises(AssertionError, match="replaying history \\+ decided events differs"):
        assert_replay_consistent(leaky, [1], 2)


def test_other_exceptions_propagate() -> None:
    def decide(command: int, state: Bag) -> list[int]:
        raise ZeroDivisionError

    broken = Decider(name="broken", initial_state=Bag, decide=decide, evolve=_append)
    with pytest.raises(ZeroDivisionError):
        assert_replay_consistent(broken, [], 1)
