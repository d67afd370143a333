"""Projections and deleted streams: the tombstone reaches the consumers that handle it.

Rule (ADR 0015): ``store.delete_stream`` appends a ``StreamTombstone`` to the log; the
runner delivers it to a projection that declares ``@projection.on(StreamTombstone)`` and
never to one that does not (its subscription asks only for the types it handles). A
projection drops a deleted stream's rows in that handler, and a rebuild ends the same.
Tested with every store backend, sync and asyncio.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

import fabula
from fabula import Recorded, StreamTombstone
from fabula.codec import EventRegistry, encode_new
from fabula.read import AsyncProjectionRunner, Projection, ProjectionRunner
from fabula.read.sqlite import AsyncSqliteTarget, SqliteTarget
from fabula.store import TOMBSTONE_TYPE, NewEvent, open_async_store, open_store


@fabula.event("note_added")
@dataclass(frozen=True)
class NoteAdded:
    text: str


def _projections() -> tuple[Projection, Projection]:
    notes = Projection("notes", tables=["notes"])
    counted = Projection("counted", tables=["counted"])

    @notes.setup
    @counted.setup
    def create(tx: sqlite3.Connection) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS notes (stream TEXT, text TEXT)")
        tx.execute("CREATE TABLE IF NOT EXISTS counted (stream TEXT)")

    @notes.on(NoteAdded)
    def added(tx: sqlite3.Connection, event: Recorded[NoteAdded]) -> None:
        tx.execute("INSERT INTO notes VALUES (?, ?)", (event.stream_id, event.event.text))

    @notes.on(StreamTombstone)
    def deleted(tx: sqlite3.Connection, event: Recorded[StreamTombstone]) -> None:
        tx.execute("DELETE FROM notes WHERE stream = ?", (event.stream_id,))

    @counted.on(NoteAdded)
    def count(tx: sqlite3.Connection, event: Recorded[NoteAdded]) -> None:
        tx.execute("INSERT INTO counted VALUES (?)", (event.stream_id,))

    return notes, counted


def _rows(tx: sqlite3.Connection) -> tuple[list[tuple[str, str]], list[str]]:
    notes = tx.execute("SELECT stream, text FROM notes ORDER BY stream").fetchall()
    counted = [r[0] for r in tx.execute("SELECT stream FROM counted ORDER BY stream")]
    return notes, counted


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    schema_url: str = request.getfixturevalue("postgres_schema_url")
    return schema_url


def _new(registry: EventRegistry, text: str) -> list[NewEvent]:
    return encode_new(
        registry, [NoteAdded(text)], metadata=None, causation_id=None, correlation_id=None
    )


def _write(store: fabula.EventStore, registry: EventRegistry) -> None:
    for stream, text in (("note-a", "x"), ("note-b", "y"), ("note-a", "z")):
        store.append(stream, _new(registry, text))
    store.delete_stream("note-a")


def test_a_projection_drops_a_deleted_streams_rows(url: str, tmp_path: Path) -> None:
    assert StreamTombstone.__fabula_event__.name == TOMBSTONE_TYPE  # type: ignore[attr-defined]
    registry = EventRegistry()
    registry.register(NoteAdded)
    with open_store(url) as store, SqliteTarget(f"sqlite:///{tmp_path / 'read.db'}") as target:
        _write(store, registry)
        for projection in _projections():
            runner = ProjectionRunner(store, projection, target=target, registry=registry)
            runner.run_until_caught_up()
        notes, counted = target.read(_rows)
        assert notes == [("note-b", "y")]
        assert counted == ["note-a", "note-a", "note-b"]  # no tombstone handler: untouched


def test_an_async_projection_drops_a_deleted_streams_rows(url: str, tmp_path: Path) -> None:
    async def run() -> None:
        registry = EventRegistry()
        registry.register(NoteAdded)
        async with open_async_store(url) as store:
            for stream, text in (("note-a", "x"), ("note-b", "y")):
                await store.append(stream, _new(registry, text))
            await store.delete_stream("note-a")
            async with AsyncSqliteTarget(f"sqlite:///{tmp_path / 'read.db'}") as target:
                notes, _counted = _projections()
                runner = AsyncProjectionRunner(store, notes, target=target, registry=registry)
                await runner.run_until_caught_up()
                assert (await target.read(_rows))[0] == [("note-b", "y")]

    asyncio.run(run())
