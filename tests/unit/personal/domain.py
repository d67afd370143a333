"""A customer with personal fields, for the personal-data tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import fabula
from fabula.read import Projection


@fabula.event("personal_test.registered")
@dataclass(frozen=True)
class Registered:
    customer_id: str
    email: Annotated[str, fabula.Personal(subject="customer_id")]
    name: Annotated[str | None, fabula.Personal(subject="customer_id", redacted=None)]
    plan: str


@fabula.event("personal_test.upgraded")
@dataclass(frozen=True)
class Upgraded:
    customer_id: str
    plan: str


@dataclass(frozen=True)
class Register:
    customer_id: str
    email: str
    name: str


class Customer(fabula.Aggregate[Register], name="personal_customer"):
    email: str = ""
    name: str | None = None
    plan: str = ""

    @fabula.decides
    def register(self, command: Register) -> Registered:
        return Registered(command.customer_id, command.email, command.name, "free")

    @fabula.evolves
    def registered(self, event: Registered) -> None:
        self.email, self.name, self.plan = event.email, event.name, event.plan

    @fabula.evolves
    def upgraded(self, event: Upgraded) -> None:
        self.plan = event.plan


def registered(customer: str) -> Registered:
    return Registered(customer, f"{customer}@example.com", f"Name of {customer}", "free")


def customers(name: str = "customers") -> Projection:
    """A read model keeping each customer's email, redacted on ``SubjectForgotten``."""
    projection = Projection(name)

    @projection.on(Registered)
    def on_registered(model: dict[str, Any], event: fabula.Recorded[Registered]) -> None:
        model[event.event.customer_id] = {"email": event.event.email, "plan": event.event.plan}

    @projection.on(fabula.SubjectForgotten)
    def on_forgotten(
        model: dict[str, Any], event: fabula.Recorded[fabula.SubjectForgotten]
    ) -> None:
        row = model.get(event.event.subject)
        if row is not None:
            row["email"] = fabula.REDACTED

    return projection
