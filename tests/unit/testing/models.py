"""A tiny bank-card domain in both styles, for testing the testing kit itself."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fabula.domain import Aggregate, Decider, DomainError, decides, event, evolves


@event("kit_card_issued")
@dataclass(frozen=True)
class Issued:
    holder: str


@event("kit_card_charged")
@dataclass(frozen=True)
class Charged:
    amount: int


@dataclass(frozen=True)
class Issue:
    holder: str


@dataclass(frozen=True)
class Charge:
    amount: int


class NotIssued(DomainError):
    code = "not_issued"
    message = "the card is not issued"


class AlreadyIssued(DomainError):
    code = "already_issued"
    message = "the card is already issued"


@dataclass(frozen=True)
class CardState:
    holder: str | None = None
    spent: int = 0


def decide(command: Issue | Charge, state: CardState) -> list[Issued | Charged]:
    match command:
        case Issue(holder=holder):
            if state.holder is not None:
                raise AlreadyIssued
            return [Issued(holder)]
        case Charge(amount=amount):
            if state.holder is None:
                raise NotIssued(params={"amount": amount})
            return [Charged(amount)] if amount else []


def evolve(state: CardState, item: Issued | Charged) -> CardState:
    match item:
        case Issued(holder=holder):
            return replace(state, holder=holder)
        case Charged(amount=amount):
            return replace(state, spent=state.spent + amount)


card: Decider[CardState, Issue | Charge, Issued | Charged] = Decider(
    name="card",
    initial_state=CardState,
    decide=decide,
    evolve=evolve,
    commands=(Issue, Charge),
    events=(Issued, Charged),
)


class Card(Aggregate, name="card_class"):
    holder: str | None = None
    spent: int = 0

    @decides
    def issue(self, command: Issue) -> list[Issued]:
        if self.holder is not None:
            raise AlreadyIssued
        return [Issued(command.holder)]

    @decides
    def charge(self, command: Charge) -> list[Charged]:
        if self.holder is None:
            raise NotIssued
        return [Charged(command.amount)] if command.amount else []

    @evolves
    def issued(self, item: Issued) -> None:
        self.holder = item.holder

    @evolves
    def charged(self, item: Charged) -> None:
        self.spent += item.amount


class Spending(Aggregate, name="spending"):
    """A read model: only @evolves methods."""

    charges: int = 0
    total: int = 0

    @evolves
    def charged(self, item: Charged) -> None:
        self.charges += 1
        self.total += item.amount
