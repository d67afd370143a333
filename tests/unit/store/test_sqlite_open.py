"""Opening a SQLite store: URL options honoured or refused, read-only really read-only.

A look at a file must never change it: ``mode=ro`` creates no file, writes no schema and
leaves the journal mode alone; ``migrate="check"`` refuses a file without fabula's schema
before it touches the journal mode. Each rule is checked sync and async.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from fabula import ConfigurationError, ReadOnlyError, SchemaError
from fabula.read import open_async_target, open_target
from fabula.read.sqlite import SqliteTarget
from fabula.store import open_async_store, open_store
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore
from fabula.testing.conformance._events import new_events


def _url(path: Path, query: str = "") -> str:
    return f"sqlite:///{path}" + (f"?{query}" if query else "")


def _filled(path: Path) -> Path:
    with open_store(_url(path)) as store:
        store.append("order-1", new_events(2))
    return path


def _foreign(path: Path) -> Path:
    """Another application's SQLite file: one table, rollback journal."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
        conn.commit()
    return path


def _look(path: Path) -> tuple[set[str], str]:
    with closing(sqlite3.connect(path)) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return names, conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_mode_ro_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = _filled(tmp_path / "app.db")
    with open_store(_url(path, "mode=ro")) as store:
        assert isinstance(store, SqliteStore)
        assert store.settings.mode == "ro"
        assert [e.version for e in store.read_stream("order-1")] == [1, 2]
        with pytest.raises(ReadOnlyError, match="read-only"):
            store.append("order-1", new_events(1))
    with open_store(_url(path)) as store:
        assert store.head() == 2

    async def scenario() -> None:
        async with open_async_store(_url(path, "mode=ro")) as store:
            assert await store.head() == 2
            with pytest.raises(ReadOnlyError):
                await store.append("order-2", new_events(1))

    asyncio.run(scenario())


@pytest.mark.parametrize("query", ["mode=ro", "mode=rw"])
def test_a_missing_file_is_not_created_by_ro_or_rw(tmp_path: Path, query: str) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(SchemaError, match="no fabula store"):
        open_store(_url(path, query))
    with pytest.raises(SchemaError, match="no fabula store"):
        AsyncSqliteStore(path, mode=query.removeprefix("mode="))  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("query", ["mode=ro", "migrate=check"])
def test_another_applications_file_is_left_as_it_was(tmp_path: Path, query: str) -> None:
    path = _foreign(tmp_path / "other.db")
    before = _look(path)
    with pytest.raises(SchemaError, match="no fabula store"):
        open_store(_url(path, query))
    with pytest.raises(SchemaError, match="no fabula store"):
        open_async_store(_url(path, query))
    assert _look(path) == before == ({"customers"}, "delete")


def test_options_become_settings(tmp_path: Path) -> None:
    url = _url(tmp_path / "a.db", "busy_timeout=2.5&poll_interval=0.2&migrate=auto")
    with SqliteStore.from_url(url) as store:
        settings = store.settings
    assert (settings.mode, settings.migrate, settings.busy_timeout, settings.poll_interval) == (
        "rwc",
        "auto",
        2.5,
        0.2,
    )
    with SqliteStore.from_url(url, busy_timeout=2.5, mode="rw") as store:  # agreeing: fine
        assert store.settings.mode == "rw"


def test_a_store_and_a_target_open_from_a_url_a_path_or_settings(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SqliteStore(_url(path, "busy_timeout=2.5")) as store:
        assert (store.path, store.settings.busy_timeout) == (str(path), 2.5)
        with SqliteStore(store.settings, poll_interval=0.2) as again:
            assert again.settings == replace(store.settings, poll_interval=0.2)
        with SqliteTarget(store.settings) as target:
            assert (target.path, target.checkpoint("p").position) == (str(path), 0)
    with SqliteTarget(replace(store.settings, mode="ro")) as looking, pytest.raises(ReadOnlyError):
        looking.prepare("q")
    with SqliteStore(path, mode="ro") as read_only:
        assert read_only.settings.read_only


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("mod=ro", "unknown option 'mod'"),
        ("mode=rx", "mode must be one of"),
        ("migrate=later", "migrate must be"),
        ("busy_timeout=soon", "busy_timeout must be a number"),
        ("poll_interval=-1", "poll_interval must be a number of seconds >= 0"),
        ("mode=ro&mode=ro", "twice"),
        ("mode", "malformed"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, query: str, match: str) -> None:
    path = _filled(tmp_path / "app.db")
    with pytest.raises(ConfigurationError, match=match):
        open_store(_url(path, query))
    with pytest.raises(ConfigurationError, match=match):
        open_async_store(_url(path, query))


def test_a_keyword_contradicting_the_url_is_refused(tmp_path: Path) -> None:
    path = _filled(tmp_path / "app.db")
    with pytest.raises(ConfigurationError, match="says mode='ro'"):
        open_store(_url(path, "mode=ro"), mode="rwc")


def test_a_private_database_cannot_be_read_only() -> None:
    with pytest.raises(ConfigurationError, match="in-memory"):
        open_store("sqlite:///:memory:?mode=ro")


@pytest.mark.parametrize("opener", [open_target, open_async_target])
def test_a_target_url_with_options_is_refused(tmp_path: Path, opener: object) -> None:
    with pytest.raises(ConfigurationError, match="unknown option"):
        opener(_url(tmp_path / "read.db", "mode=ro"))  # type: ignore[operator]
    assert list(tmp_path.iterdir()) == []


def test_ro_checks_the_schema_version(tmp_path: Path) -> None:
    path = _filled(tmp_path / "app.db")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE fabula_schema SET version = version + 100")
        conn.commit()
    with pytest.raises(SchemaError, match="newer"):
        open_store(_url(path, "mode=ro"))
