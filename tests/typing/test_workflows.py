"""Multi-stream decisions and the broker integration are typed: mypy --strict and pyright.

A line marked ``# type: ignore[...]`` must stay an error (see ``test_happy_path.py``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_type

import pytest

import fabula
from fabula import AsyncFlow, Decision, DispatchResult, Flow, Recorded
from fabula.flows import Reaction
from fabula.integration import RELAY_POLICY, Delivery, Inbox, Message, Outbox, Publisher
from fabula.read import ErrorPolicy


@fabula.event("typed_moved")
@dataclass(frozen=True)
class Moved:
    amount: int


@dataclass(frozen=True)
class Open:
    key: str


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    amount: int


class Account(fabula.Aggregate[Open], name="typed_account"):
    balance: int = 0

    @fabula.decides
    def open(self, command: Open) -> list[Moved]:
        return [Moved(10)]

    @fabula.evolves
    def moved(self, event: Moved) -> None:
        self.balance += event.amount


def move(command: Move, decision: Decision) -> None:
    source = decision.state(Account, command.source)
    assert_type(source, Account)
    assert_type(decision.version(Account, command.target), int)
    decision.append(Account, command.source, Moved(-command.amount))
    decision.append(Account, command.target, Moved(command.amount))


def streams(command: Move) -> Sequence[tuple[type[Account], str]]:
    return [(Account, command.source), (Account, command.target)]


def test_a_decision_is_typed_by_its_command() -> None:
    flow = Flow(fabula.open_store("memory://"))
    flow.register(Account, key=lambda command: command.key)
    flow.register_decision(Move, move, streams=streams)
    flow.dispatch(Open("a"))
    flow.dispatch(Open("b"))
    result = flow.dispatch(Move("a", "b", 3))
    assert_type(result, DispatchResult)
    assert_type(result.position, int | None)
    assert flow.load(Account, "b").state.balance == 13

    def wrong(command: Open, decision: Decision) -> None:
        del command, decision

    with pytest.raises(fabula.ConfigurationError):  # routed already; and mistyped
        flow.register_decision(Move, wrong, streams=streams)  # type: ignore[arg-type]


def test_the_asyncio_flow_takes_the_same_decision() -> None:
    async def main() -> int:
        flow = AsyncFlow(fabula.open_async_store("memory://"))
        flow.register(Account, key=lambda command: command.key)
        flow.register_decision(Move, move, streams=streams)
        await flow.dispatch(Open("a"))
        await flow.dispatch(Open("b"))
        await flow.dispatch(Move("a", "b", 4))
        return (await flow.load(Account, "a")).state.balance

    assert asyncio.run(main()) == 6


class Sent:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def publish(self, message: Message, /) -> None:
        self.messages.append(message)


def test_the_outbox_and_inbox_are_typed() -> None:
    outbox = Outbox("typed_outbox", subject="accounts")

    def as_itself(recorded: Recorded[Moved]) -> Moved:
        return recorded.event

    outbox.publish(Moved, as_=as_itself)
    publisher: Publisher = Sent()
    assert_type(outbox.relay(publisher), Reaction)
    assert_type(RELAY_POLICY, ErrorPolicy)
    inbox = Inbox("typed_inbox", AsyncFlow(fabula.open_async_store("memory://")))

    @inbox.on(Moved)
    def react(event: Moved, message: Message) -> Open:
        return Open(message.id)

    assert_type(react(Moved(1), Message("m", "s", b"{}")), Open)
    assert_type(inbox.command_id(Message("m", "s", b"{}")), uuid.UUID)
    delivery: Delivery | None = None
    assert delivery is None
