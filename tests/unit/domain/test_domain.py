from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, strategies as st

from fabula import (
    Aggregate,
    ConfigurationError,
    DomainError,
    FabulaError,
    FrozenDuringDecide,
    UnknownCommand,
    decides,
    event,
    evolves,
    fold,
)
from fabula.app import uuid7


@event("ticked")
@dataclass(frozen=True)
class Ticked:
    by: int


@dataclass(frozen=True)
class Tick:
    by: int


@dataclass(frozen=True)
class Cheat:
    pass


class Clock(Aggregate, name="clock"):
    time: int = 0

    @decides
    def tick(self, command: Tick) -> list[Ticked]:
        return [Ticked(command.by)]

    @decides(Cheat)
    def cheat(self, command: object) -> list[Ticked]:
        self.time = 99  # must be refused: deciding never mutates
        return []

    @evolves
    def ticked(self, event: Ticked) -> None:
        self.time += event.by


def test_class_style_compiles_to_a_decider() -> None:
    decider = Clock.decider
    assert decider.name == "clock"
    assert decider.commands == (Tick, Cheat)
    assert decider.events == (Ticked,)
    assert decider.handles(Tick)
    state = decider.initial_state()
    assert decider.decide(Tick(2), state) == [Ticked(2)]
    assert state == Clock()


def test_deciding_cannot_mutate() -> None:
    state = Clock(time=1)
    with pytest.raises(FrozenDuringDecide, match="must not change") as caught:
        Clock.decider.decide(Cheat(), state)
    assert isinstance(caught.value, FabulaError)  # in the tree: one except catches fabula's
    assert isinstance(caught.value, AttributeError)  # and still what it was
    assert state.time == 1
    state.time = 2  # evolving outside decide is allowed again
    assert state.time == 2


def test_unknown_command_raises() -> None:
    with pytest.raises(UnknownCommand):
        Clock.decider.decide("x", Clock())


def test_events_without_evolve_leave_state_alone() -> None:
    @event("noise")
    @dataclass(frozen=True)
    class Noise:
        pass

    assert Clock.decider.evolve(Clock(time=3), Noise()) == Clock(time=3)


def test_unresolvable_annotation_asks_for_explicit_type() -> None:
    with pytest.raises(ConfigurationError, match="name the type"):

        class Broken(Aggregate):
            @decides
            def run(self, command: NotDefinedAnywhere) -> list[object]:  # type: ignore[name-defined]  # noqa: F821
                return []


@given(st.lists(st.integers(-5, 5), max_size=30))
def test_fold_equals_step_by_step_decisions(amounts: list[int]) -> None:
    decider = Clock.decider
    state = decider.initial_state()
    decided: list[Ticked] = []
    for by in amounts:
        events = list(decider.decide(Tick(by), state))
        decided.extend(events)
        for item in events:
            state = decider.evolve(state, item)
    assert fold(decider, decided) == state
    assert state.time == sum(amounts)


def test_domain_error_json_form() -> None:
    class Overdrawn(DomainError):
        code = "overdrawn"
        message = "funds not available"

    error = Overdrawn(params={"balance": 3})
    assert error.as_json() == {
        "code": "overdrawn",
        "message": "funds not available",
        "params": {"balance": 3},
    }
    assert DomainError("custom", code="x").as_json()["message"] == "custom"
    assert Overdrawn() == Overdrawn()
    assert Overdrawn() != DomainError()


def test_a_domain_error_without_a_code_takes_one_from_its_name() -> None:
    class AccountFrozen(DomainError):
        message = "the account is frozen"

    class HTTPRefused(DomainError):
        pass

    class Overdrawn(DomainError):
        code = "overdrawn"

    class BadlyOverdrawn(Overdrawn):  # inherits its base's own code
        pass

    assert AccountFrozen().code == "account_frozen"
    assert HTTPRefused().code == "http_refused"
    assert BadlyOverdrawn().code == "overdrawn"
    assert AccountFrozen(code="given").code == "given"
    assert DomainError().code == "domain_error"


def test_uuid7_is_time_ordered_and_unique() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 2000
    assert {i.version for i in ids} == {7}
