"""Bulk import (``import_events``, ``fabula import``) on every backend, sync and asyncio."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import fabula
from fabula import ConcurrencyError, DuplicateEvent, ImportRefused, InvalidArgument
from fabula.cli._main import main
from fabula.store import ImportedEvent, NewEvent, open_async_store, open_store


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/import.db"
    return str(request.getfixturevalue("postgres_schema_url"))


def _events(streams: int, per: int, prefix: str = "item") -> list[ImportedEvent]:
    return [
        ImportedEvent(
            stream_id=f"{prefix}-{s}",
            version=v,
            event_id=uuid.uuid4(),
            type="Created" if v == 1 else "Updated",
            data=json.dumps({"n": v, "text": "tab\there\\ and\nnewline"}),
            metadata='{"by": "import"}' if v == 2 else "{}",
        )
        for s in range(streams)
        for v in range(1, per + 1)
    ]


def test_imports_in_order_with_versions_and_heads(url: str) -> None:
    events = _events(7, 3)
    seen: list[int] = []
    with open_store(url) as store:
        result = store.import_events(events, chunk_size=5, progress=seen.append)  # type: ignore[attr-defined]
        assert result.events == 21
        assert result.chunks == 5
        assert seen == [5, 10, 15, 20, 21]
        log = store.read_all()
        assert [(e.stream_id, e.version, e.event_id) for e in log] == [
            (e.stream_id, e.version, e.event_id) for e in events
        ]
        assert [e.data for e in log] == [e.data for e in events]
        assert log[1].metadata == '{"by": "import"}'
        assert result.last_position == log[-1].position == store.head()
        assert store.stream_version("item-3") == 3
        assert store.count_streams("item-") == 7
        # the stream goes on as usual after an import
        store.append(
            "item-3",
            [NewEvent(event_id=uuid.uuid4(), type="Updated", data="{}")],
            precondition=fabula.ExpectedVersion(3),
        )
        assert store.stream_version("item-3") == 4


def test_keeps_recorded_at_when_given(url: str) -> None:
    when = datetime(2020, 5, 17, 12, 30, 1, 250000, tzinfo=UTC)
    event = ImportedEvent(
        stream_id="old-1", version=1, event_id=uuid.uuid4(), type="T", data="1", recorded_at=when
    )
    with open_store(url) as store:
        store.import_events([event])  # type: ignore[attr-defined]
        assert store.read_all()[0].recorded_at == when


def test_a_bad_event_mid_input_names_its_line_and_stores_no_part_of_its_chunk(url: str) -> None:
    events = _events(10, 3)
    bad = 13  # 1-based: in the third chunk of 5
    broken = list(events)
    item = broken[bad - 1]
    broken[bad - 1] = ImportedEvent(
        stream_id=item.stream_id,
        version=item.version,
        event_id=item.event_id,
        type=item.type,
        data="{not json",
    )
    with open_store(url) as store:
        with pytest.raises(ImportRefused) as caught:
            store.import_events(broken, chunk_size=5)  # type: ignore[attr-defined]
        assert caught.value.line == bad
        assert caught.value.imported == 10
        assert isinstance(caught.value.__cause__, InvalidArgument)
        assert len(store.read_all()) == 10
        # stream item-3 straddles chunks 2 and 3: its first event is stored, nothing later
        assert store.stream_version("item-3") == 1
        assert store.stream_version("item-4") == 0


def test_versions_must_follow_the_stored_stream(url: str) -> None:
    with open_store(url) as store:
        store.import_events(_events(2, 2))  # type: ignore[attr-defined]
        again = _events(1, 1)  # item-0 at version 1, but it holds 2 events
        with pytest.raises(ImportRefused) as caught:
            store.import_events(again)  # type: ignore[attr-defined]
        assert caught.value.line == 1
        assert isinstance(caught.value.__cause__, ConcurrencyError)
        gap = [
            ImportedEvent(stream_id="g-1", version=1, event_id=uuid.uuid4(), type="T", data="1"),
            ImportedEvent(stream_id="g-1", version=3, event_id=uuid.uuid4(), type="T", data="1"),
        ]
        with pytest.raises(ImportRefused) as caught:
            store.import_events(gap)  # type: ignore[attr-defined]
        assert caught.value.line == 2
        assert store.stream_version("g-1") == 0
        assert len(store.read_all()) == 4


def test_event_ids_stay_unique(url: str) -> None:
    with open_store(url) as store:
        events = _events(3, 1)
        store.import_events(events)  # type: ignore[attr-defined]
        reused = ImportedEvent(
            stream_id="other-1", version=1, event_id=events[1].event_id, type="T", data="1"
        )
        fresh = _events(1, 1, prefix="fresh")
        with pytest.raises(ImportRefused) as caught:
            store.import_events([*fresh, reused])  # type: ignore[attr-defined]
        assert caught.value.line == 2
        assert isinstance(caught.value.__cause__, DuplicateEvent)
        twice = [fresh[0], fresh[0]]
        with pytest.raises(ImportRefused) as caught:
            store.import_events(twice)  # type: ignore[attr-defined]
        assert caught.value.line == 2
        assert store.stream_version("fresh-0") == 0
        assert len(store.read_all()) == 3


def test_asyncio_store_imports_too(url: str) -> None:
    async def run() -> list[Any]:
        async with open_async_store(url) as store:
            result = await store.import_events(_events(3, 2), chunk_size=4)  # type: ignore[attr-defined]
            assert result.events == 6
            with pytest.raises(ImportRefused) as caught:
                await store.import_events(_events(1, 1))  # type: ignore[attr-defined]
            assert caught.value.line == 1
            return await store.read_all()

    assert len(asyncio.run(run())) == 6


def _lines(events: list[ImportedEvent]) -> Iterator[str]:
    for e in events:
        yield json.dumps(
            {
                "stream_id": e.stream_id,
                "version": e.version,
                "event_id": str(e.event_id),
                "type": e.type,
                "data": json.loads(e.data),
                "metadata": json.loads(e.metadata),
            }
        )


def test_cli_imports_a_file_and_copies_a_store(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _events(4, 3)
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(_lines(events)) + "\n\n")
    assert main(["import", url, str(file), "--chunk", "5"]) == 0
    assert "imported 12 events in 3 chunks" in capsys.readouterr().out
    copy = f"sqlite:///{tmp_path}/copy.db"
    if url.startswith("memory"):
        return  # a memory store ends with the command
    assert main(["import", copy, "--from", url, "--chunk", "5"]) == 0
    with open_store(copy) as store:
        assert [(e.stream_id, e.version, e.event_id) for e in store.read_all()] == [
            (e.stream_id, e.version, e.event_id) for e in events
        ]


def test_cli_refuses_a_malformed_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = list(_lines(_events(3, 1)))
    lines.insert(2, '{"stream_id": "x-1", "version": "one"}')
    file = tmp_path / "bad.jsonl"
    file.write_text("\n\n".join(lines))  # blank lines between: the bad one is line 5
    target = f"sqlite:///{tmp_path}/t.db"
    assert main(["import", target, str(file)]) == 1
    assert "line 5:" in capsys.readouterr().err
    with open_store(target) as store:
        assert store.read_all() == []


def test_cli_names_the_file_line_the_target_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _events(3, 2)
    gap = ImportedEvent(stream_id="item-1", version=5, event_id=uuid.uuid4(), type="T", data="{}")
    file = tmp_path / "gap.jsonl"
    lines = list(_lines([*events, gap]))
    file.write_text("\n\n".join(lines) + "\n")  # the gap is event 7, on line 13
    target = f"sqlite:///{tmp_path}/t.db"
    assert main(["import", target, str(file), "--chunk", "4"]) == 1
    err = capsys.readouterr().err
    assert "line 13:" in err
    assert "4 events stored before it" in err
    with open_store(target) as store:
        assert len(store.read_all()) == 4


@pytest.mark.parametrize("change", ["archive_stream", "delete_stream"])
def test_an_import_into_a_hidden_stream_is_refused_and_writes_nothing(
    url: str, change: str
) -> None:
    with open_store(url) as store:
        store.import_events(_events(1, 2, prefix="gone"))  # type: ignore[attr-defined]
        getattr(store, change)("gone-0")
        head = store.head()
        later = [
            ImportedEvent(
                stream_id="fresh-0", version=1, event_id=uuid.uuid4(), type="Created", data="{}"
            ),
            ImportedEvent(
                stream_id="gone-0",
                version=store.stream_version("gone-0") + 1,
                event_id=uuid.uuid4(),
                type="Updated",
                data="{}",
            ),
        ]
        with pytest.raises(ImportRefused) as refused:
            store.import_events(later)  # type: ignore[attr-defined]
        assert refused.value.line == 2
        expected = fabula.StreamArchived if change == "archive_stream" else fabula.StreamDeleted
        assert isinstance(refused.value.__cause__, expected)
        assert store.head() == head
        assert store.stream_version("fresh-0") == 0


def test_an_asyncio_import_into_a_deleted_stream_is_refused(url: str) -> None:
    async def run() -> BaseException | None:
        async with open_async_store(url) as store:
            await store.import_events(_events(1, 1, prefix="gone"))  # type: ignore[attr-defined]
            await store.delete_stream("gone-0")
            event = ImportedEvent(
                stream_id="gone-0", version=3, event_id=uuid.uuid4(), type="Updated", data="{}"
            )
            with pytest.raises(ImportRefused) as refused:
                await store.import_events([event])  # type: ignore[attr-defined]
            return refused.value.__cause__

    assert isinstance(asyncio.run(run()), fabula.StreamDeleted)
