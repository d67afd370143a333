"""Commands a reaction dispatches carry the triggering event as causation, and its correlation.

Checked through what the store keeps: the dispatched command's events' correlation id and
their ``caused_by`` metadata (the events' own causation id is the command's id).
"""

from __future__ import annotations

import asyncio
import json
import uuid

from fabula import Recorded
from fabula.app import AsyncFlow, caused_by, current_cause
from fabula.codec import decode_recorded
from fabula.flows import Reaction, ReactionContext
from fabula.read import AsyncProjectionRunner, ProjectionRunner, ProjectionSet
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.store import StoredEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from tests.unit.read.domain import Create, Created, Note, Todo, make_flow, registry, stream


def _one(events: list[StoredEvent], type_name: str) -> StoredEvent:
    found = [e for e in events if e.type == type_name]
    assert len(found) == 1, found
    return found[0]


def _assert_caused(trigger: StoredEvent, effect: StoredEvent, command_id: uuid.UUID) -> None:
    assert effect.correlation_id == trigger.correlation_id
    assert json.loads(effect.metadata)["caused_by"] == str(trigger.event_id)
    assert effect.causation_id == command_id


def test_a_reactions_command_inherits_the_events_causation_and_correlation() -> None:
    store = MemoryStore()
    flow = make_flow(store)
    noting = Reaction("noting")
    ids: list[uuid.UUID] = []

    @noting.on(Created)
    def note(context: ReactionContext, event: Recorded[Created]) -> None:
        ids.append(context.command_id())
        flow.dispatch(Note("a", "seen"), command_id=context.command_id())

    correlation = uuid.uuid4()
    flow.dispatch(Create("a", "one"), correlation_id=correlation)
    ProjectionRunner(flow, noting, target=MemoryTarget()).run_until_caught_up()
    events = list(store.read_all())
    trigger, effect = _one(events, "todo_created"), _one(events, "todo_noted")
    assert trigger.correlation_id == correlation
    _assert_caused(trigger, effect, ids[0])
    assert current_cause() is None  # the cause ends with the handler


def test_ids_the_handler_passes_win_and_a_set_delivers_the_same_way() -> None:
    store = MemoryStore()
    flow = make_flow(store)
    noting = Reaction("noting")
    mine = uuid.uuid4()

    @noting.on(Created)
    def note(context: ReactionContext, event: Recorded[Created]) -> None:
        flow.dispatch(Note("a", "seen"), command_id=context.command_id(), correlation_id=mine)

    flow.dispatch(Create("a", "one"))
    with ProjectionSet(store, MemoryTarget(), consumers=[noting], registry=flow.registry) as set_:
        set_.run_until_caught_up()
    events = list(store.read_all())
    trigger, effect = _one(events, "todo_created"), _one(events, "todo_noted")
    assert effect.correlation_id == mine
    assert json.loads(effect.metadata)["caused_by"] == str(trigger.event_id)


def test_caused_by_works_outside_a_reaction_too() -> None:
    store = MemoryStore()
    flow = make_flow(store)
    flow.dispatch(Create("a", "one"))
    trigger = _one(list(store.read_all()), "todo_created")
    recorded = decode_recorded(flow.registry, trigger)
    with caused_by(recorded):
        flow.dispatch(Note("a", "by hand"))
    effect = _one(list(store.read_all()), "todo_noted")
    assert effect.correlation_id == trigger.correlation_id
    assert json.loads(effect.metadata)["caused_by"] == str(trigger.event_id)


def test_the_asyncio_runner_keeps_the_cause_across_awaits() -> None:
    async def main() -> None:
        store = AsyncMemoryStore()
        flow = AsyncFlow(store, registry=registry())
        flow.register(Todo, stream_id=stream)
        noting = Reaction("noting")
        ids: list[uuid.UUID] = []

        @noting.on(Created)
        async def note(context: ReactionContext, event: Recorded[Created]) -> None:
            await asyncio.sleep(0)  # the cause must survive a suspension
            ids.append(context.command_id())
            await flow.dispatch(Note("a", "seen"), command_id=context.command_id())

        correlation = uuid.uuid4()
        await flow.dispatch(Create("a", "one"), correlation_id=correlation)
        runner = AsyncProjectionRunner(flow, noting, target=AsyncMemoryTarget())
        await runner.run_until_caught_up()
        events = await store.read_all()
        trigger, effect = _one(events, "todo_created"), _one(events, "todo_noted")
        _assert_caused(trigger, effect, ids[0])
        assert effect.correlation_id == correlation
        assert current_cause() is None

    asyncio.run(main())
