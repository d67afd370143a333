"""Personal data's public API has real types (mypy and pyright check the ``assert_type``s)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Literal, assert_type

import fabula
from fabula.app import SubjectExport
from fabula.codec import AsyncKeyring, Keyring
from fabula.store import AsyncKeyTable, KeyTable, StoredEvent
from fabula.store.memory import AsyncMemoryStore, MemoryStore


@fabula.event("typing.personal")
@dataclass(frozen=True)
class Signed:
    who: str
    email: Annotated[str, fabula.Personal(subject="who")]


def test_sync_personal_api() -> None:
    store = MemoryStore()
    assert_type(store.personal_keys(), KeyTable)
    personal = fabula.PersonalData(store)
    assert_type(personal.forget("s"), bool)
    export = personal.export("s")
    assert_type(export, SubjectExport)
    assert_type(export.key, Literal["active", "forgotten", "none"])
    assert_type(export.events, tuple[StoredEvent, ...])
    assert_type(Keyring(store).open([]), list[StoredEvent])
    assert_type(fabula.Personal(subject="who").subject, str | fabula.SubjectFrom)
    assert_type(fabula.STREAM, Literal[fabula.SubjectFrom.STREAM])
    assert_type(
        Keyring(store).keys_for(fabula.EventRegistry(), [], stream_id="s"), dict[str, bytes] | None
    )


def test_async_personal_api() -> None:
    async def main() -> None:
        store = AsyncMemoryStore()
        assert_type(store.personal_keys(), AsyncKeyTable)
        personal = fabula.AsyncPersonalData(store)
        assert_type(await personal.forget("s"), bool)
        assert_type((await personal.export("s")).subject, str)
        assert_type(await AsyncKeyring(store).open([]), list[StoredEvent])

    asyncio.run(main())
