"""A type shared by the sync and asyncio APIs is one class, whichever twin hands it out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import assert_type

import fabula
from fabula import AsyncRepository, Repository, open_async_store, open_store
from fabula.read import AsyncQueryBus, Query, QueryBus

from .app.domain import Counter, Opened


@dataclass(frozen=True)
class GetTotal(Query[int]):
    counter_id: str


def test_the_sync_repository_loads_a_fabula_loaded() -> None:
    store = open_store("memory://")
    repo: Repository[Counter] = Repository(store, Counter)
    repo.append("counter-a", [Opened("x")], precondition=fabula.NO_STREAM)
    loaded = repo.load("counter-a")
    assert isinstance(loaded, fabula.Loaded)
    assert loaded.state == Counter(name="x", total=0)


def test_the_async_repository_loads_a_fabula_loaded() -> None:
    async def load() -> object:
        store = open_async_store("memory://")
        repo: AsyncRepository[Counter] = AsyncRepository(store, Counter)
        await repo.append("counter-a", [Opened("x")], precondition=fabula.NO_STREAM)
        return await repo.load("counter-a")

    assert isinstance(asyncio.run(load()), fabula.Loaded)


def test_both_query_buses_type_what_a_fabula_query_asks_for() -> None:
    bus, async_bus = QueryBus(), AsyncQueryBus()
    bus.register(GetTotal, lambda query: 7)
    async_bus.register(GetTotal, lambda query: 7)
    # mypy (make lint) checks these: before one Query class, the sync bus answered Any.
    answer = assert_type(bus.ask(GetTotal("a")), int)
    async_answer = assert_type(asyncio.run(async_bus.ask(GetTotal("a"))), int)
    assert (answer, async_answer) == (7, 7)


def test_the_twins_hand_out_one_class_per_shared_type() -> None:
    from fabula.app import _repository, _repository_async
    from fabula.read import _queries, _queries_async
    from fabula.store.postgres import _migrate, _migrate_async

    assert vars(_repository)["Loaded"] is vars(_repository_async)["Loaded"] is fabula.Loaded
    assert _queries.Query is _queries_async.Query is Query
    assert _migrate.Migration is _migrate_async.Migration
    assert _migrate.MIGRATIONS is _migrate_async.MIGRATIONS
