"""Reaction handlers are typed like projection handlers (mypy --strict and pyright strict).

A line marked ``# type: ignore[...]`` must stay an error (see ``test_happy_path``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_type

import fabula
from fabula import Recorded
from fabula.app import Cause, caused_by, current_cause
from fabula.flows import Reaction, ReactionContext
from fabula.read.running import Consumer


@fabula.event("typed_reaction_opened")
@dataclass(frozen=True)
class Opened:
    door: str


@fabula.event("typed_reaction_closed")
@dataclass(frozen=True)
class Closed:
    door: str


def test_a_reaction_handler_is_checked_against_its_event_types() -> None:
    doors = Reaction("typed_doors")

    @doors.on(Opened)
    def opened(context: ReactionContext, recorded: Recorded[Opened]) -> None:
        assert_type(recorded.event, Opened)
        assert_type(context.command_id(), uuid.UUID)

    @doors.on(Closed)
    async def closed(context: ReactionContext, recorded: Recorded[Closed]) -> None:
        del context, recorded

    @Reaction("typed_either_door").on(Opened, Closed)
    def either(context: ReactionContext, recorded: Recorded[Opened | Closed]) -> None:
        del context, recorded

    @Reaction("typed_wrong_door").on(Opened)  # type: ignore[arg-type]
    def wrong(context: ReactionContext, recorded: Recorded[Closed]) -> None:
        del context, recorded

    assert_type(opened, Callable[[ReactionContext, Recorded[Opened]], None])
    assert doors.handlers.get(Closed).handler is closed
    assert doors.handlers.get(Opened).handler is opened


def test_a_reaction_is_a_consumer_and_the_cause_is_typed() -> None:
    consumer: Consumer = Reaction("typed_consumer")
    assert not consumer.transactional
    assert_type(current_cause(), Cause | None)

    with caused_by(Cause(uuid.uuid4(), uuid.uuid4())) as cause:
        assert_type(cause.correlation_id, uuid.UUID)
        assert current_cause() is cause
