"""``copy_store`` carries the key rows of the personal data it copies (every backend)."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

import fabula
from fabula.evolution import copy_async_store, copy_store
from fabula.store import StoredEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore

from .members import Member, joined


def test_a_copy_reads_as_the_source_did_and_keeps_forgotten_subjects_forgotten(store_url: str):
    with fabula.open_store(store_url) as source:
        repo = fabula.Repository(source, Member)
        repo.append("member-m1", [joined("m1")])
        repo.append("member-m2", [joined("m2")])
        fabula.PersonalData(source).forget("member-m2")

        destination = MemoryStore()
        report = copy_store(source, destination)
        assert report.keys == 2
        copied = fabula.Repository(destination, Member)
        assert copied.load("member-m1").state.email == "m1@example.com"
        assert copied.load("member-m2").state.email == fabula.REDACTED
        assert fabula.PersonalData(destination).export("member-m2").key == "forgotten"
        with pytest.raises(fabula.ForgottenSubject):
            copied.append("member-m2", [joined("m2")])

        def rename(record: StoredEvent) -> StoredEvent:
            return msgspec.structs.replace(
                record, stream_id=record.stream_id.replace("member-", "person-")
            )

        moved = MemoryStore()
        copy_store(source, moved, transform=rename)
        # The subject was fixed when the event was written: the old stream id.
        assert fabula.Repository(moved, Member).load("person-m1").state.email == "m1@example.com"
        export = fabula.PersonalData(moved).export("member-m1")
        assert [e.stream_id for e in export.events] == ["person-m1"]


def test_the_async_copy_carries_the_keys_too(store_url: str):
    async def main() -> None:
        async with fabula.open_async_store(store_url) as source:
            await fabula.AsyncRepository(source, Member).append("member-a", [joined("a")])
            destination = AsyncMemoryStore()
            report = await copy_async_store(source, destination)
            assert report.keys == 1
            loaded = await fabula.AsyncRepository(destination, Member).load("member-a")
            assert loaded.state.email == "a@example.com"

    asyncio.run(main())
