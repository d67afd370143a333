"""Personal fields on the asyncio API: sealed, forgotten, exported, keys lost; every backend."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import fabula
from fabula.read import AsyncProjectionRunner, ErrorPolicy
from fabula.read.memory import AsyncMemoryTarget

from .domain import Customer, Registered, Upgraded, customers, registered
from .tamper import corrupt_key, lose_keys


def run(test: Any, url: str) -> None:
    async def main() -> None:
        async with fabula.open_async_store(url) as store:
            await test(store)

    asyncio.run(main())


def test_sealed_then_forgotten(store_url: str):
    async def test(store: fabula.AsyncEventStore) -> None:
        repo = fabula.AsyncRepository(store, Customer)
        await repo.append("customer-c1", [registered("c1"), Upgraded("c1", "pro")])
        [record, _] = await store.read_stream("customer-c1")
        assert "c1@example.com" not in record.data
        assert (await repo.load("customer-c1")).state.email == "c1@example.com"
        personal = fabula.AsyncPersonalData(store)
        assert (await personal.export("c1")).key == "active"
        assert await personal.forget("c1") is True
        state = (await repo.load("customer-c1")).state
        assert (state.email, state.name, state.plan) == (fabula.REDACTED, None, "pro")
        history = await repo.history("customer-c1")
        assert history[0].event == Registered("c1", fabula.REDACTED, None, "free")
        with pytest.raises(fabula.ForgottenSubject):
            await repo.append("customer-c1", [registered("c1")])

    run(test, store_url)


def test_projection_redacts_and_parks_a_lost_key(store_url: str):
    async def test(store: fabula.AsyncEventStore) -> None:
        repo = fabula.AsyncRepository(store, Customer)
        await repo.append("customer-c1", [registered("c1")])
        target = AsyncMemoryTarget()
        runner = AsyncProjectionRunner(store, customers(), target=target)
        await runner.run_until_caught_up()
        await fabula.AsyncPersonalData(store).forget("c1")
        await runner.run_until_caught_up()
        assert target.model("customers")["c1"]["email"] == fabula.REDACTED

        lose_keys(store)
        await repo.append("customer-c2", [registered("c2")])  # a new key, the old ones lost
        await repo.append("customer-c3", [Upgraded("c3", "pro")])
        policy = ErrorPolicy(retries=0, on_park="continue")
        fresh = AsyncMemoryTarget()
        rebuilt = AsyncProjectionRunner(store, customers(), target=fresh, policy=policy)
        status = await rebuilt.run_until_caught_up()
        assert status.parked == 1  # c1's event: its key row is gone
        assert set(fresh.model("customers")) == {"c2"}

    run(test, store_url)


def test_a_corrupt_key_is_a_typed_error(store_url: str):
    async def test(store: fabula.AsyncEventStore) -> None:
        repo = fabula.AsyncRepository(store, Customer)
        await repo.append("customer-c1", [registered("c1")])
        corrupt_key(store, "c1")
        with pytest.raises(fabula.PersonalKeyError) as caught:
            await repo.load("customer-c1")
        assert (caught.value.subject, caught.value.version) == ("c1", 1)

    run(test, store_url)


def test_concurrent_key_creation_agrees(store_url: str):
    async def test(store: Any) -> None:
        table = store.personal_keys()
        subjects = [f"s{i}" for i in range(10)]
        results = await asyncio.gather(*(table.create(subjects) for _ in range(4)))
        assert all(r == results[0] for r in results)
        assert await table.fetch(subjects) == results[0]

    run(test, store_url)
