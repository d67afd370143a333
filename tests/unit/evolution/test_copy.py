"""``copy_store`` and ``fabula copy``: a transformed, verified copy; the source untouched."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from fabula import ConfigurationError
from fabula.app import Repository
from fabula.cli import main
from fabula.evolution import CopyMismatch, DestinationNotEmpty, copy_async_store, copy_store
from fabula.store import AsyncEventStore, EventStore, StoredEvent, open_store
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.testing import _postgres
from tests.unit.codec.evolution_kit import Customer, decider, history, old, registry
from tests.unit.evolution.app import modernize


def _fill(store: EventStore) -> None:
    store.append("customer-1", history())
    store.append("other-1", [old("Joined", {"name": "Bo"})])
    store.append("customer-2", history())


def _content(store: EventStore) -> list[tuple[Any, ...]]:
    return [
        (r.position, r.stream_id, r.version, r.event_id, r.type, r.data, r.metadata)
        for r in store.read_all()
    ]


def test_a_plain_copy_keeps_ids_streams_order_and_metadata(fabula_store: EventStore) -> None:
    _fill(fabula_store)
    before = _content(fabula_store)
    destination = MemoryStore()
    report = copy_store(fabula_store, destination, page_size=2)
    assert _content(fabula_store) == before
    copied = _content(destination)
    assert [c[1:] for c in copied] == [b[1:] for b in before]
    assert (report.read, report.written, report.dropped, report.streams) == (7, 7, 0, 3)
    assert report.checksum == report.source_checksum


def test_a_transform_drops_and_rewrites_and_versions_are_renumbered(
    fabula_store: EventStore,
) -> None:
    _fill(fabula_store)
    source = fabula_store.read_all()
    destination = MemoryStore()
    report = copy_store(fabula_store, destination, transform=modernize)
    assert (report.read, report.written, report.dropped) == (7, 5, 2)
    assert report.checksum != report.source_checksum
    copied = destination.read_stream("customer-1")
    assert [(r.type, r.version, r.schema_version) for r in copied] == [
        ("CustomerRegistered", 1, 1),
        ("NameChanged", 2, 2),
    ]
    assert [r.event_id for r in copied] == [source[0].event_id, source[2].event_id]
    assert copied[1].metadata == '{"user": "u1"}'
    loaded = Repository(destination, decider(), registry=registry()).load("customer-1")
    assert loaded.state == Customer("Anna", "Elm", ["copy"])


def test_a_transform_may_split_and_move_events(fabula_store: EventStore) -> None:
    fabula_store.append("a", [old("Joined", {"name": "x"})])

    def twice(record: StoredEvent) -> list[StoredEvent]:
        from fabula.app import uuid7

        second = msgspec.structs.replace(record, stream_id="b", event_id=uuid7())
        return [record, second]

    destination = MemoryStore()
    assert copy_store(fabula_store, destination, transform=twice).written == 2
    assert [(r.stream_id, r.version) for r in destination.read_all()] == [("a", 1), ("b", 1)]


def test_a_non_empty_destination_is_refused_and_nothing_written(fabula_store: EventStore) -> None:
    _fill(fabula_store)
    destination = MemoryStore()
    destination.append("x", [old("Joined", {"name": "x"})])
    with pytest.raises(DestinationNotEmpty) as caught:
        copy_store(fabula_store, destination)
    assert caught.value.head == 1
    assert len(destination.read_all()) == 1
    with pytest.raises(ConfigurationError, match="same"):
        copy_store(fabula_store, fabula_store)


class Tampering(MemoryStore):
    """A destination that reads back one payload other than it was written."""

    def read_all(self, **options: Any) -> list[StoredEvent]:
        page = super().read_all(**options)
        return [
            msgspec.structs.replace(r, data='{"name": "?"}') if r.version == 1 else r for r in page
        ]


def test_a_destination_that_reads_back_otherwise_fails_the_copy() -> None:
    source = MemoryStore()
    source.append("a", [old("Joined", {"name": "x"})])
    with pytest.raises(CopyMismatch, match="not the 1 written"):
        copy_store(source, Tampering())


def test_the_asyncio_copy(fabula_async_store: AsyncEventStore) -> None:
    async def scenario() -> None:
        await fabula_async_store.append("customer-1", history())
        destination = AsyncMemoryStore()
        report = await copy_async_store(fabula_async_store, destination, transform=modernize)
        assert (report.written, report.dropped) == (2, 1)
        assert [r.type for r in await destination.read_all()] == [
            "CustomerRegistered",
            "NameChanged",
        ]

    asyncio.run(scenario())


@pytest.fixture(params=["sqlite", "postgres"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source URL and an empty destination's (a new file, or a new PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}"
        return
    source = request.getfixturevalue("postgres_schema_url")
    base = request.getfixturevalue("fabula_postgres_url")
    with _postgres.temporary_schema(base) as destination:
        yield source, destination


def test_fabula_copy_then_check_the_destination(
    urls: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source_url, destination_url = urls
    with open_store(source_url) as store:
        _fill(store)
        before = _content(store)
    argv = [
        "copy",
        source_url,
        destination_url,
        "--transform",
        "tests.unit.evolution.app:modernize",
    ]
    status = main([*argv, "--app", "tests.unit.evolution.app:code", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert (out["read"], out["written"], out["dropped"]) == (7, 5, 2)
    assert out["check"]["ok"] is True
    with open_store(source_url) as store:
        assert _content(store) == before
    with open_store(destination_url) as store:
        assert len(store.read_all()) == 5
    assert main(argv) == 1  # the destination is not empty any more
    assert "not empty" in capsys.readouterr().err


def test_fabula_copy_refuses_the_same_url_and_a_bad_transform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["copy", url, url]) == 1
    assert "same" in capsys.readouterr().err
    other = f"sqlite:///{tmp_path / 'b.db'}"
    assert main(["copy", url, other, "--transform", "tests.unit.evolution.app:nope"]) == 1
    assert "not a function" in capsys.readouterr().err


class MergeStreetLines:
    """A stateful transform: ``Line1`` then ``Line2`` of a stream become one ``Moved``.

    The merged event keeps the last part's id and metadata; a ``Line1`` is held until its
    ``Line2`` comes (the copy reads the log in order).
    """

    def __init__(self) -> None:
        self.held: dict[str, str] = {}

    def __call__(self, record: StoredEvent) -> StoredEvent | None:
        payload = msgspec.json.decode(record.data)
        if record.type == "Line1":
            self.held[record.stream_id] = payload["text"]
            return None
        if record.type == "Line2":
            street = f"{self.held.pop(record.stream_id)}, {payload['text']}"
            data = msgspec.json.encode({"street": street}).decode()
            return msgspec.structs.replace(record, type="Moved", data=data)
        return record


def test_a_stateful_transform_merges_events(fabula_store: EventStore) -> None:
    fabula_store.append("a", [old("Line1", {"text": "1 Elm"}), old("Joined", {"name": "x"})])
    fabula_store.append("b", [old("Line1", {"text": "2 Oak"})])
    fabula_store.append("a", [old("Line2", {"text": "Springfield"})])
    fabula_store.append("b", [old("Line2", {"text": "Shelbyville"})])
    last = fabula_store.read_all()[-1]
    destination = MemoryStore()
    report = copy_store(fabula_store, destination, transform=MergeStreetLines(), page_size=2)
    assert (report.read, report.written, report.dropped) == (5, 3, 2)
    moved = destination.read_stream("b")
    assert [(r.type, r.version, r.data) for r in moved] == [
        ("Moved", 1, '{"street":"2 Oak, Shelbyville"}')
    ]
    assert moved[0].event_id == last.event_id
    assert [r.type for r in destination.read_stream("a")] == ["Joined", "Moved"]


def test_snapshots_of_unchanged_streams_are_copied_and_changed_ones_are_not(
    fabula_store: EventStore,
) -> None:
    _fill(fabula_store)
    repository = Repository(fabula_store, decider(), registry=registry())
    repository.save_snapshot("customer-1")
    repository.save_snapshot("customer-2")
    kept = fabula_store.load_snapshot("customer-1")
    assert kept is not None

    destination = MemoryStore()
    report = copy_store(fabula_store, destination)
    assert report.snapshots == 2
    assert destination.load_snapshot("customer-1") == kept

    def drop_the_first_of_customer_2(record: StoredEvent) -> StoredEvent | None:
        return None if (record.stream_id, record.version) == ("customer-2", 1) else record

    other = MemoryStore()
    report = copy_store(fabula_store, other, transform=drop_the_first_of_customer_2)
    assert (report.snapshots, report.as_json()["snapshots"]) == (1, 1)
    assert other.load_snapshot("customer-1") == kept
    assert other.load_snapshot("customer-2") is None  # its versions moved: it replays
