"""A small counter domain for the app-layer tests (class style and functional style)."""

from __future__ import annotations

from dataclasses import dataclass

from fabula import Aggregate, Decider, DomainError, decides, event, evolves


@event("counter_opened")
@dataclass(frozen=True)
class Opened:
    name: str


@event("counter_added")
@dataclass(frozen=True)
class Added:
    amount: int


@dataclass(frozen=True)
class Open:
    counter_id: str
    name: str


@dataclass(frozen=True)
class Add:
    counter_id: str
    amount: int


class NotOpen(DomainError):
    code = "not_open"
    message = "the counter is not open"


class AlreadyOpen(DomainError):
    code = "already_open"
    message = "the counter is already open"


class Counter(Aggregate, name="counter"):
    name: str = ""
    total: int = 0

    @decides
    def open(self, command: Open) -> list[Opened]:
        if self.name:
            raise AlreadyOpen
        return [Opened(command.name)]

    @decides
    def add(self, command: Add) -> list[Added]:
        if not self.name:
            raise NotOpen(params={"counter_id": command.counter_id})
        return [Added(command.amount)] if command.amount else []

    @evolves
    def opened(self, event: Opened) -> None:
        self.name = event.name

    @evolves
    def added(self, event: Added) -> None:
        self.total += event.amount


@dataclass(frozen=True)
class Total:
    name: str = ""
    total: int = 0


def _decide(command: Open | Add, state: Total) -> list[Opened | Added]:
    match command:
        case Open(name=name):
            if state.name:
                raise AlreadyOpen
            return [Opened(name)]
        case Add(amount=amount):
            if not state.name:
                raise NotOpen
            return [Added(amount)] if amount else []


def _evolve(state: Total, event: Opened | Added) -> Total:
    match event:
        case Opened(name=name):
            return Total(name, state.total)
        case Added(amount=amount):
            return Total(state.name, state.total + amount)


functional_counter: Decider[Total, Open | Add, Opened | Added] = Decider(
    name="fcounter",
    initial_state=Total,
    decide=_decide,
    evolve=_evolve,
    commands=(Open, Add),
    events=(Opened, Added),
    state_type=Total,
)


def stream(command: Open | Add) -> str:
    return f"counter-{command.counter_id}"
