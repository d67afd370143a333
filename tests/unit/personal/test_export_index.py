"""An export reads the streams the key table noted for a subject, not the whole log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import fabula
from fabula.store import NewEvent

from .domain import Customer, registered
from .members import Member, joined


def _noise(store: Any, count: int) -> None:
    store.append(
        "noise-1",
        [NewEvent(event_id=fabula.uuid7(), type="noise", data="{}") for _ in range(count)],
    )


def _no_scan(*args: object, **kwargs: object) -> Any:
    raise AssertionError("the export scanned the log")


@pytest.fixture
def store(store_url: str):
    with fabula.open_store(store_url) as opened:
        yield opened


def test_the_first_export_scans_once_then_the_index_answers(store, monkeypatch):
    members = fabula.Repository(store, Member)
    customers = fabula.Repository(store, Customer)
    members.append("member-m1", [joined("m1")])
    _noise(store, 5)
    customers.append("personal_customer-a", [registered("c1")])  # subject c1, field-named
    customers.append("personal_customer-b", [registered("c1")])
    personal = fabula.PersonalData(store)
    keys = store.personal_keys()
    assert keys.streams("c1") in (None, ["personal_customer-a", "personal_customer-b"])

    first = personal.export("c1")  # completes the index if it was not
    assert keys.streams("c1") == ["personal_customer-a", "personal_customer-b"]
    assert keys.streams("member-m1") == ["member-m1"]

    monkeypatch.setattr(store, "read_all", _no_scan)
    again = personal.export("c1")
    assert [e.position for e in again.events] == [e.position for e in first.events]
    assert [e.stream_id for e in again.events] == ["personal_customer-a", "personal_customer-b"]
    assert again.as_json()["events"][0]["data"]["email"] == "c1@example.com"

    members.append("member-m2", [joined("m2")])  # noted when written
    assert [e.stream_id for e in personal.export("member-m2").events] == ["member-m2"]
    assert personal.export("nobody").events == ()


def test_an_archived_stream_falls_back_to_a_scan(store):
    fabula.Repository(store, Member).append("member-m1", [joined("m1")])
    personal = fabula.PersonalData(store)
    personal.export("member-m1")
    store.archive_stream("member-m1")
    assert [e.stream_id for e in personal.export("member-m1").events] == ["member-m1"]


def test_a_store_written_before_the_index_is_scanned_and_indexed(store):
    fabula.Repository(store, Member).append("member-m1", [joined("m1")])
    keys = store.personal_keys()
    assert keys.streams("member-m1") in (None, ["member-m1"])
    # What an older writer left: sealed events, and a subject noted nowhere.
    fabula.Repository(store, Member).append("member-old", [joined("old")])
    forget_notes(store, "member-old")
    personal = fabula.PersonalData(store)
    assert [e.stream_id for e in personal.export("member-old").events] == ["member-old"]
    assert keys.streams("member-old") == ["member-old"]


def forget_notes(store: Any, subject: str) -> None:
    """Drop the stream index (as a store from before it existed), per backend."""
    from fabula.store.memory import MemoryStore
    from fabula.store.memory._keys_base import keys_of
    from fabula.store.sqlite import SqliteStore

    if isinstance(store, MemoryStore):
        keys = keys_of(store._log)
        keys.pairs.clear()
        keys.complete = False
        return
    if isinstance(store, SqliteStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TABLE fabula_personal_key_streams")
        return
    import psycopg

    with psycopg.connect(store.settings.conninfo, autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{store.settings.schema}".personal_key_streams')


def test_the_async_export_uses_the_index(store_url: str):
    async def main() -> None:
        async with fabula.open_async_store(store_url) as store:
            await fabula.AsyncRepository(store, Member).append("member-a", [joined("a")])
            personal = fabula.AsyncPersonalData(store)
            await personal.export("member-a")
            keys = store.personal_keys()  # type: ignore[attr-defined]
            assert await keys.streams("member-a") == ["member-a"]
            store.read_all = _no_scan  # type: ignore[method-assign]
            export = await personal.export("member-a")
            assert [e.stream_id for e in export.events] == ["member-a"]

    asyncio.run(main())
