"""The happy path is typed end to end: mypy --strict and pyright strict check this file.

Each ``assert_type`` is checked statically (``make lint``) and each function also runs
under pytest. A line marked ``# type: ignore[...]`` must stay an error: mypy's
``warn_unused_ignores`` and pyright's ``reportUnnecessaryTypeIgnoreComment`` fail the
lint if fabula's types stop catching the mistake.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_type

import fabula
from fabula import (
    AsyncFlow,
    AsyncRepository,
    Decider,
    Flow,
    Loaded,
    Recorded,
    Repository,
)
from fabula.domain import as_decider
from fabula.read import Projection


@fabula.event("typed_added")
@dataclass(frozen=True)
class Added:
    title: str


@fabula.event("typed_done")
@dataclass(frozen=True)
class Done:
    title: str


@dataclass(frozen=True)
class Add:
    board: str
    title: str


@dataclass(frozen=True)
class Finish:
    board: str
    title: str


class Board(fabula.Aggregate[Add], name="typed_board"):
    open: tuple[str, ...] = ()

    @fabula.decides
    def add(self, command: Add) -> list[Added]:
        return [Added(command.title)]

    @fabula.evolves
    def added(self, event: Added) -> None:
        self.open = (*self.open, event.title)


@dataclass(frozen=True)
class Tally:
    count: int = 0


def _decide(command: Add | Finish, state: Tally) -> list[Added | Done]:
    del state
    return [Added(command.title)] if isinstance(command, Add) else [Done(command.title)]


def _evolve(state: Tally, event: Added | Done) -> Tally:
    del event
    return Tally(state.count + 1)


tally: Decider[Tally, Add | Finish, Added | Done] = Decider(
    name="typed_tally",
    initial_state=Tally,
    decide=_decide,
    evolve=_evolve,
    commands=(Add, Finish),
    events=(Added, Done),
)


def test_the_class_style_state_is_the_aggregate_class() -> None:
    flow = Flow(fabula.open_store("memory://"))
    repository = flow.register(Board, key=lambda command: command.board)
    assert_type(repository, Repository[Board])
    assert_type(Board.decider, Decider[Board, Any, Any])
    assert_type(as_decider(Board), Decider[Board, Any, Any])
    flow.dispatch(Add("home", "water the plants"))
    loaded = flow.load(Board, "home")
    assert_type(loaded, Loaded[Board])
    assert_type(loaded.state, Board)
    assert_type(flow.repository(Board).load("typed_board-home").state, Board)
    assert loaded.state.open == ("water the plants",)


def test_the_functional_state_is_the_deciders_state() -> None:
    flow = Flow(fabula.open_store("memory://"))
    assert_type(flow.register(tally, key=lambda command: command.board), Repository[Tally])
    assert_type(as_decider(tally), Decider[Tally, Add | Finish, Added | Done])
    flow.dispatch(Finish("home", "x"))
    assert_type(flow.load(tally, "home").state, Tally)
    assert flow.load(tally, "home").state == Tally(1)
    store = fabula.open_store("memory://")
    assert_type(Repository(store, tally), Repository[Tally])
    assert_type(Repository(store, Board), Repository[Board])


class Plain(fabula.Aggregate, name="typed_plain"):
    count: int = 0

    @fabula.decides
    def finish(self, command: Finish) -> list[Done]:
        return [Done(command.title)]


def test_the_key_function_is_checked_against_the_command_type() -> None:
    flow = Flow(fabula.open_store("memory://"))
    flow.register(tally, key=lambda command: command.borad)  # type: ignore[union-attr]
    classy = Flow(fabula.open_store("memory://"))
    classy.register(Board, key=lambda command: command.borad)  # type: ignore[call-overload]
    bare = Flow(fabula.open_store("memory://"))
    assert_type(bare.register(Plain, key=lambda command: command.board), Repository[Plain])
    other = Flow(fabula.open_store("memory://"))
    other.register(tally, stream_id=lambda command: command.title.upper())

    def wrong(command: Added) -> str:
        return command.title

    third = Flow(fabula.open_store("memory://"))
    third.register(tally, key=wrong)  # type: ignore[arg-type]


def test_the_asyncio_flow_is_typed_the_same_way() -> None:
    async def main() -> Board:
        flow = AsyncFlow(fabula.open_async_store("memory://"))
        assert_type(flow.register(Board, key=lambda c: c.board), AsyncRepository[Board])
        other = AsyncFlow(fabula.open_async_store("memory://"))
        assert_type(other.register(tally, key=lambda c: c.board), AsyncRepository[Tally])
        assert_type((await other.load(tally, "none")).state, Tally)
        await flow.dispatch(Add("home", "fix the bike"))
        loaded = await flow.load(Board, "home")
        assert_type(loaded, Loaded[Board])
        return loaded.state

    assert asyncio.run(main()).open == ("fix the bike",)


def test_a_projection_handler_is_checked_against_its_event_types() -> None:
    done = Projection("typed_done")

    @done.on(Done)
    def finished(tx: object, recorded: Recorded[Done]) -> None:
        assert_type(recorded.event, Done)

    @Projection("typed_either").on(Added, Done)
    def either(tx: object, recorded: Recorded[Added | Done]) -> None:
        del tx, recorded

    @done.on_batch(Added)
    def many(tx: object, records: Sequence[Recorded[Added]]) -> None:
        del tx, records

    @Projection("typed_mistaken").on(Added)  # type: ignore[arg-type]
    def mistaken(tx: object, recorded: Recorded[Done]) -> None:
        del tx, recorded

    assert_type(finished, Callable[[object, Recorded[Done]], None])
    assert done.entry(Done).handler is finished


def test_bulk_import_is_typed() -> None:
    import uuid

    from fabula.store import ImportedEvent, ImportResult
    from fabula.store.memory import AsyncMemoryStore, MemoryStore

    event = ImportedEvent(stream_id="typed-1", version=1, event_id=uuid.uuid4(), type="T", data="1")
    result = MemoryStore().import_events([event], chunk_size=10, progress=print)
    assert_type(result, ImportResult)
    assert_type(result.last_position, int | None)

    async def run() -> ImportResult:
        return await AsyncMemoryStore().import_events([event])

    assert asyncio.run(run()).events == 1
    try:
        MemoryStore().import_events([event, event])
    except fabula.ImportRefused as refused:
        assert_type(refused.line, int)
