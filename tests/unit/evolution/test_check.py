"""``check_store`` and ``fabula check``: every stored event and snapshot, page by page."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fabula.cli import main
from fabula.evolution import CheckReport, CurrentCode, Where, check_async_store, check_store
from fabula.store import AsyncEventStore, EventStore, SnapshotRecord, StoredEvent, open_store
from tests.unit.codec.evolution_kit import HISTORY, decider, history, old, registry

BROKEN = [
    old("Gone", {"x": 1}),  # no class, rename or split: unknown_type
    old("Gone", {"x": 2}),
    old("Moved", {"street": 5}),  # the payload does not decode
]


def _fill(store: EventStore) -> None:
    store.append("customer-1", HISTORY)
    store.append("customer-2", BROKEN)
    store.append("customer-3", [old("Closed", {"why": "x"})])
    store.save_snapshot(_snapshot("customer-1", 3, '{"name": "S"}', 1))
    store.save_snapshot(_snapshot("customer-2", 1, '{"name": 7}', 1))
    store.save_snapshot(_snapshot("customer-3", 1, "{}", 9))


def _snapshot(stream_id: str, version: int, data: str, schema_version: int) -> SnapshotRecord:
    return SnapshotRecord(
        stream_id=stream_id,
        version=version,
        type="customer",
        data=data,
        schema_version=schema_version,
    )


def _code() -> CurrentCode:
    return CurrentCode(registry(), (decider(),))


def _assert_found(report: CheckReport, store: EventStore) -> None:
    positions = {(r.stream_id, r.version): r.position for r in store.read_all()}
    assert (report.events, report.decoded) == (7, 3)
    assert (report.snapshots, report.snapshots_replayed) == (1, 1)
    groups = {(p.kind, p.type): p for p in report.problems.values()}
    assert set(groups) == {
        ("unknown_type", "Gone"),
        ("decode_failure", "Moved"),
        ("missing_upcaster", "Closed"),
        ("snapshot", "customer"),
    }
    gone = groups[("unknown_type", "Gone")]
    assert gone.count == 2
    assert gone.first == [
        Where("customer-2", 1, positions[("customer-2", 1)]),
        Where("customer-2", 2, positions[("customer-2", 2)]),
    ]
    assert "schema version 1" in groups[("missing_upcaster", "Closed")].error
    assert groups[("snapshot", "customer")].first == [Where("customer-2", 1, None)]
    assert report.failures == 5
    assert not report.ok


def test_check_groups_every_failure_by_kind_and_type(fabula_store: EventStore) -> None:
    _fill(fabula_store)
    _assert_found(check_store(fabula_store, _code()), fabula_store)


def test_check_keeps_only_the_first_positions(fabula_store: EventStore) -> None:
    _fill(fabula_store)
    report = check_store(fabula_store, _code(), first=1)
    assert all(len(p.first) == 1 for p in report.problems.values())


def test_a_store_the_code_reads_is_ok(fabula_store: EventStore) -> None:
    fabula_store.append("customer-1", HISTORY)
    report = check_store(fabula_store, _code())
    assert report.ok
    assert report.lines() == [
        "3 events (3 decoded), 0 snapshots (0 would replay): everything decodes"
    ]


def test_the_asyncio_check_finds_the_same(
    fabula_store: EventStore, fabula_async_store: AsyncEventStore
) -> None:
    async def scenario() -> None:
        await fabula_async_store.append("customer-2", BROKEN)
        report = await check_async_store(fabula_async_store, _code(), page_size=2)
        assert report.events == 3
        assert {p.kind for p in report.problems.values()} == {"unknown_type", "decode_failure"}

    asyncio.run(scenario())


class CountingStore:
    """A store that tells how the log was read: the limit of each read, and its size."""

    def __init__(self, store: EventStore, events: list[str]) -> None:
        self._store = store
        self.events = events

    def read_all(self, *, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        page = self._store.read_all(after=after, limit=limit)
        self.events.append(f"read limit={limit} got={len(page)}")
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_check_reads_the_log_lazily_one_bounded_page_at_a_time(fabula_store: EventStore) -> None:
    for n in range(7):
        fabula_store.append(f"customer-{n}", history())
    events: list[str] = []
    counting: Any = CountingStore(fabula_store, events)
    check_store(
        counting, _code(), page_size=5, progress=lambda done, head: events.append(f"done {done}")
    )
    assert events == [
        "read limit=5 got=5",
        "done 5",
        "read limit=5 got=5",
        "done 10",
        "read limit=5 got=5",
        "done 15",
        "read limit=5 got=5",
        "done 20",
        "read limit=5 got=1",
        "done 21",
        "read limit=5 got=0",
    ]


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's URL on each database backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'events.db'}"
    else:
        yield request.getfixturevalue("postgres_schema_url")


def test_fabula_check_prints_json_and_fails(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(store_url) as store:
        _fill(store)
        positions = [r.position for r in store.read_all()]
    status = main(["check", store_url, "--app", "tests.unit.evolution.app:code", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 1
    assert out["ok"] is False
    assert (out["events"], out["failures"]) == (7, 5)
    gone = next(p for p in out["problems"] if p["type"] == "Gone")
    assert gone["count"] == 2
    assert gone["first"][0] == {"stream_id": "customer-2", "version": 1, "position": positions[3]}


def test_fabula_check_passes_on_a_clean_store(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(store_url) as store:
        store.append("customer-1", HISTORY)
    assert main(["check", store_url, "--app", "tests.unit.evolution.app:make_code"]) == 0
    out, err = capsys.readouterr()
    assert "everything decodes" in out
    assert err == ""  # no progress display off a terminal


def test_fabula_check_text_names_each_problem(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(store_url) as store:
        _fill(store)
    assert (
        main(["check", store_url, "--app", "tests.unit.evolution.app:code", "--no-snapshots"]) == 1
    )
    out = capsys.readouterr().out
    assert "unknown_type Gone: 2, first at customer-2@1" in out
    assert "missing_upcaster Closed: 1" in out
    assert "snapshot" not in out.split("\n", 1)[1]


def test_fabula_check_refuses_a_bad_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    assert main(["check", url, "--app", "tests.unit.evolution.app:nothing"]) == 1
    assert "has no attribute" in capsys.readouterr().err


class Terminal:
    """A stderr that says it is a terminal, keeping what is written."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_fabula_check_shows_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    with open_store(url) as store:
        store.append("customer-1", HISTORY)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["check", url, "--app", "tests.unit.evolution.app:code", "--page-size", "2"]) == 0
    assert "\rcheck [####################..........] 2 events" in terminal.text
    assert "\rcheck [##############################] 3 events" in terminal.text
    assert terminal.text.endswith("\n")


def test_check_reads_merges_across_pages_and_reports_broken_groups(
    fabula_store: EventStore,
) -> None:
    fabula_store.append("customer-9", [old("Line1", {"text": "a"})])
    fabula_store.append("other", [old("Joined", {"name": "x"})])
    fabula_store.append("customer-9", [old("Line2", {"text": "b"})])
    fabula_store.append("customer-8", [old("Joined", {"name": "y"}), old("Line2", {"text": "c"})])
    report = check_store(fabula_store, _code(), page_size=2)
    assert (report.events, report.decoded) == (5, 3)  # Line1 merges into Line2's Moved
    [broken] = report.problems.values()
    assert (broken.kind, broken.type, broken.first[0].stream_id) == (
        "decode_failure",
        "Line2",
        "customer-8",
    )
