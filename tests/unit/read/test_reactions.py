from __future__ import annotations

from typing import Any

import pytest

from fabula import Recorded, StoreError
from fabula.flows import Reaction, ReactionContext
from fabula.read import (
    ErrorPolicy,
    HandlerError,
    ProjectionRunner,
    ProjectionSet,
)
from fabula.read.memory import MemoryTarget
from fabula.store.memory import MemoryStore

from .domain import Create, Created, Note, make_flow


class FlakyTarget(MemoryTarget):
    """Fails the first commit after a reaction acted: as if the worker died right then."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def commit(self, name: str, /, **kwargs: Any) -> None:
        if self.failures and not kwargs.get("steps"):
            self.failures -= 1
            raise StoreError("the checkpoint write was lost")
        super().commit(name, **kwargs)


def _noted(store: MemoryStore) -> list[str]:
    return [e.stream_id for e in store.read_all() if e.type == "todo_noted"]


def test_a_reaction_dispatches_once_even_when_an_event_is_delivered_again() -> None:
    store = MemoryStore()
    flow = make_flow(store)
    calls: list[ReactionContext] = []
    note_created = Reaction("note_created")

    @note_created.on(Created)
    def note(context: ReactionContext, event: Recorded[Created]) -> None:
        calls.append(context)
        flow.dispatch(
            Note(event.stream_id.removeprefix("todo-"), f"saw {event.event.title}"),
            command_id=context.command_id(),
        )

    flow.dispatch(Create("a", "one"))
    flow.dispatch(Create("b", "two"))
    target = FlakyTarget()
    runner = ProjectionRunner(
        store, note_created, target=target, registry=flow.registry, policy=ErrorPolicy(backoff=0)
    )
    runner.run_until_caught_up()
    assert len(calls) == 3  # todo-a was delivered twice: its first checkpoint write failed
    assert calls[0] == calls[1]
    assert calls[0].key == calls[1].key != calls[2].key
    assert _noted(store) == ["todo-a", "todo-b"]  # the redelivered command was a no-op
    runner.run_until_caught_up()  # its own Noted events are not Created: nothing more
    assert len(calls) == 3


def test_a_failing_reaction_is_parked_and_can_be_retried() -> None:
    store = MemoryStore()
    flow = make_flow(store)
    broken = {"yes"}
    alert = Reaction("alert")
    sent: list[str] = []

    @alert.on(Created)
    def send(context: ReactionContext, event: Recorded[Created]) -> None:
        if broken:
            raise ConnectionError("mail server down")
        sent.append(event.stream_id)

    flow.dispatch(Create("a", "one"))
    projections = ProjectionSet(
        store,
        MemoryTarget(),
        consumers=[alert],
        registry=flow.registry,
        policy=ErrorPolicy(retries=1, backoff=0, on_park="continue"),
    )
    [status] = projections.run_until_caught_up()
    assert status.parked == 1
    [letter] = projections.parked("alert")
    assert letter.error == "ConnectionError: mail server down"
    with pytest.raises(HandlerError):
        projections.retry_parked("alert", letter.position)
    broken.clear()
    projections.retry_parked("alert", letter.position)
    assert sent == ["todo-a"]
    assert projections.parked() == []


def test_reactions_cannot_be_rebuilt() -> None:
    from fabula import ConfigurationError

    reaction = Reaction("r")
    reaction.on(Created)(lambda context, event: None)
    projections = ProjectionSet(MemoryStore(), MemoryTarget(), consumers=[reaction])
    with pytest.raises(ConfigurationError, match="reaction"):
        projections.rebuild("r")
