"""A member whose personal fields belong to its stream (``Personal(subject=STREAM)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import fabula
from fabula.codec import EventRegistry
from fabula.read import Projection


@fabula.event("personal_test.member_joined")
@dataclass(frozen=True)
class Joined:
    email: Annotated[str, fabula.Personal(subject=fabula.STREAM)]
    nickname: Annotated[str | None, fabula.Personal(subject=fabula.STREAM, redacted=None)]
    plan: str


@fabula.event("personal_test.member_plan_chosen")
@dataclass(frozen=True)
class PlanChosen:
    plan: str


@dataclass(frozen=True)
class Join:
    member_id: str
    email: str


class Member(fabula.Aggregate[Join], name="member"):
    email: str = ""
    nickname: str | None = None
    plan: str = ""

    @fabula.decides
    def join(self, command: Join) -> Joined:
        return Joined(command.email, "nick", "free")

    @fabula.evolves
    def joined(self, event: Joined) -> None:
        self.email, self.nickname, self.plan = event.email, event.nickname, event.plan

    @fabula.evolves
    def plan_chosen(self, event: PlanChosen) -> None:
        self.plan = event.plan


def joined(member: str) -> Joined:
    return Joined(f"{member}@example.com", f"nick {member}", "free")


def members() -> Projection:
    """Each member's email by stream, redacted on ``SubjectForgotten`` (subject: the stream)."""
    projection = Projection("members")

    @projection.on(Joined)
    def on_joined(model: dict[str, Any], event: fabula.Recorded[Joined]) -> None:
        model[event.stream_id] = {"email": event.event.email, "plan": event.event.plan}

    @projection.on(fabula.SubjectForgotten)
    def on_forgotten(
        model: dict[str, Any], event: fabula.Recorded[fabula.SubjectForgotten]
    ) -> None:
        row = model.get(event.event.subject)
        if row is not None:
            row["email"] = fabula.REDACTED

    return projection


@fabula.event("personal_test.member_signed_up")
@dataclass(frozen=True)
class SignedUp:
    """What old code stored: one event, since split into ``Joined`` and ``PlanChosen``."""

    email: Annotated[str, fabula.Personal(subject=fabula.STREAM)]
    plan: str


def split_registry() -> EventRegistry:
    """Today's registry: a stored ``member_signed_up`` reads as ``Joined`` then ``PlanChosen``."""
    registry = EventRegistry([Joined, PlanChosen])

    @registry.splitter("personal_test.member_signed_up", from_version=1, into=(Joined, PlanChosen))
    def split(payload: dict[str, Any]) -> list[object]:
        return [Joined(payload["email"], None, "free"), PlanChosen(payload["plan"])]

    return registry
