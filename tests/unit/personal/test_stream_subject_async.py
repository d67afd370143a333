"""``Personal(subject=STREAM)`` on the asyncio API, every backend."""

from __future__ import annotations

import asyncio
from typing import Any

import fabula
from fabula.read import AsyncProjectionRunner
from fabula.read.memory import AsyncMemoryTarget

from .members import Join, Member, joined, members


def run(test: Any, url: str) -> None:
    async def main() -> None:
        async with fabula.open_async_store(url) as store:
            await test(store)

    asyncio.run(main())


def test_the_stream_is_the_subject(store_url: str):
    async def test(store: fabula.AsyncEventStore) -> None:
        flow = fabula.AsyncFlow(store)
        member = flow.register(Member, key=lambda command: command.member_id)
        await flow.dispatch(Join("m1", "m1@example.com"))
        repo = fabula.AsyncRepository(store, Member)
        await repo.append_many({"member-a": [joined("a")], "member-b": [joined("b")]})
        [record] = await store.read_stream("member-m1")
        assert "m1@example.com" not in record.data
        assert '"subject":"member-m1"' in record.data
        assert (await member.load("member-m1")).state.email == "m1@example.com"
        target = AsyncMemoryTarget()
        await AsyncProjectionRunner(store, members(), target=target).run_until_caught_up()
        assert target.model("members")["member-a"]["email"] == "a@example.com"

        personal = fabula.AsyncPersonalData(store)
        export = await personal.export("member-a")
        assert [e.stream_id for e in export.events] == ["member-a"]
        assert await personal.forget("member-a") is True
        assert (await repo.load("member-a")).state.email == fabula.REDACTED
        assert (await repo.load("member-b")).state.email == "b@example.com"
        await AsyncProjectionRunner(store, members(), target=target).run_until_caught_up()
        assert target.model("members")["member-a"] == {"email": fabula.REDACTED, "plan": "free"}
        assert target.model("members")["member-b"]["email"] == "b@example.com"

    run(test, store_url)
