"""The SQLite store's append hooks, which inline projections are built on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from uuid import UUID

import pytest

from fabula import ConfigurationError
from fabula.store import NewEvent, StoredEvent
from fabula.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "app.db")
    yield opened
    opened.close()


def _new(n: int, type_: str = "a") -> NewEvent:
    return NewEvent(event_id=UUID(int=n), type=type_, data=f'{{"n": {n}}}')


class Recorder:
    def __init__(self) -> None:
        self.calls: list[list[StoredEvent]] = []

    def __call__(self, tx: sqlite3.Connection, records: Sequence[StoredEvent]) -> None:
        assert tx.in_transaction
        self.calls.append(list(records))


def test_a_hook_gets_the_records_as_they_are_read_back(store: SqliteStore) -> None:
    hook = Recorder()
    store.add_append_hook(hook)
    store.append("s-1", [_new(1), _new(2, "b")])
    store.append("s-2", [_new(3)])
    assert hook.calls == [store.read_all()[:2], store.read_all()[2:]]


def test_a_hook_sees_only_its_types_and_only_appends_holding_them(store: SqliteStore) -> None:
    hook = Recorder()
    store.add_append_hook(hook, types=["b"])
    store.append("s-1", [_new(1)])
    store.append("s-1", [_new(2), _new(3, "b"), _new(4)])
    assert [[r.position for r in call] for call in hook.calls] == [[3]]


def test_a_failing_hook_rolls_the_append_back(store: SqliteStore) -> None:
    class Refused(Exception):
        pass

    def refuse(tx: sqlite3.Connection, records: Sequence[StoredEvent]) -> None:
        tx.execute("CREATE TABLE side_effect (x)")
        raise Refused

    store.append("s-1", [_new(1)])
    store.add_append_hook(refuse)
    with pytest.raises(Refused):
        store.append("s-1", [_new(2)])
    assert (store.head(), store.stream_version("s-1")) == (1, 1)
    assert store.remove_append_hook(refuse)
    assert not store.remove_append_hook(refuse)
    store.append("s-1", [_new(2)])  # the same event id: nothing of it was stored
    assert store.head() == 2


def test_attach_replays_from_the_position_it_returns(store: SqliteStore) -> None:
    store.append("s-1", [_new(1), _new(2, "b"), _new(3), _new(4, "b")])
    hook = Recorder()
    store.add_append_hook(hook, types=["b"], attach=lambda tx: 2)
    assert [[r.position for r in call] for call in hook.calls] == [[4]]
    hook_without_replay = Recorder()
    store.add_append_hook(hook_without_replay, attach=lambda tx: None)
    assert hook_without_replay.calls == []


def test_a_hook_is_added_once(store: SqliteStore) -> None:
    hook = Recorder()
    store.add_append_hook(hook)
    with pytest.raises(ConfigurationError, match="already"):
        store.add_append_hook(hook)
    store.append("s-1", [_new(1)])
    assert len(hook.calls) == 1
