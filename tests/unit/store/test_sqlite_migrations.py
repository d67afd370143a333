"""Schema versions of the SQLite backend: create, migrate, refuse, roll back."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from fabula import ConcurrencyError, ConfigurationError, ExpectedVersion, SchemaError
from fabula.store import NewEvent, open_store
from fabula.store.sqlite import SqliteStore
from fabula.store.sqlite._migrate import (
    MIGRATIONS,
    Migration,
    _statements,
    load_migrations,
    migrate,
    schema_version,
)

LATEST = len(MIGRATIONS)
NEXT = LATEST + 1
TAGS = Migration(NEXT, f"{NEXT:04d}_tags", "CREATE TABLE tags (name TEXT PRIMARY KEY);\n")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def conn(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        yield connection


def tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_packaged_migrations_are_numbered_from_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST + 1))
    assert MIGRATIONS[0].name == "0001_init"
    assert load_migrations() == MIGRATIONS


def test_a_fresh_file_gets_the_schema_with_auto(path: Path, conn: sqlite3.Connection) -> None:
    assert schema_version(conn) == 0
    SqliteStore(path, migrate="auto").close()
    assert schema_version(conn) == LATEST
    assert {"events", "snapshots", "fabula_schema"} <= tables(conn)
    applied = conn.execute("SELECT version, name FROM fabula_schema").fetchall()
    assert applied == [(m.version, m.name) for m in MIGRATIONS]
    assert applied[0] == (1, "0001_init")


def test_check_never_builds_a_schema_in_a_fresh_file(path: Path, conn: sqlite3.Connection) -> None:
    with pytest.raises(SchemaError, match="no fabula store"):
        SqliteStore(path, migrate="check")
    with pytest.raises(SchemaError, match="no fabula store"):
        migrate(conn, MIGRATIONS, mode="check")
    assert tables(conn) == set()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_an_older_database_is_migrated_with_auto(conn: sqlite3.Connection) -> None:
    assert migrate(conn, MIGRATIONS) == 0
    assert migrate(conn, [*MIGRATIONS, TAGS], mode="auto") == LATEST
    assert schema_version(conn) == NEXT
    assert "tags" in tables(conn)
    assert migrate(conn, [*MIGRATIONS, TAGS], mode="check") == NEXT


def test_an_older_database_is_refused_with_check(path: Path, conn: sqlite3.Connection) -> None:
    migrate(conn, MIGRATIONS)
    with pytest.raises(SchemaError) as caught:
        migrate(conn, [*MIGRATIONS, TAGS], mode="check", path=str(path))
    message = str(caught.value)
    for part in [str(path), f"version {LATEST}", f"version {NEXT}", "migrate='auto'"]:
        assert part in message
    assert schema_version(conn) == LATEST
    assert "tags" not in tables(conn)


@pytest.mark.parametrize("mode", ["auto", "check"])
def test_a_newer_database_is_always_refused(
    path: Path, conn: sqlite3.Connection, mode: str
) -> None:
    migrate(conn, [*MIGRATIONS, TAGS])
    with pytest.raises(SchemaError, match="newer") as caught:
        SqliteStore(path, migrate=mode)  # type: ignore[arg-type]
    assert f"version {NEXT}" in str(caught.value)
    with pytest.raises(SchemaError, match="upgrade fabula"):
        open_store(f"sqlite:///{path}", migrate=mode)


def test_a_failed_migration_changes_nothing(conn: sqlite3.Connection) -> None:
    migrate(conn, MIGRATIONS)
    text = "CREATE TABLE fine (x);\nCREATE TABLE broken (;\n"
    broken = Migration(NEXT, f"{NEXT:04d}_broken", text)
    with pytest.raises(SchemaError, match=f"{NEXT:04d}_broken"):
        migrate(conn, [*MIGRATIONS, broken])
    assert not conn.in_transaction
    assert schema_version(conn) == LATEST
    assert "fine" not in tables(conn)


def test_a_failed_first_migration_leaves_the_file_empty(conn: sqlite3.Connection) -> None:
    broken = Migration(1, "0001_broken", "CREATE TABLE fine (x);\nCREATE TABLE fine (y);\n")
    with pytest.raises(SchemaError, match="0001_broken"):
        migrate(conn, [broken])
    assert tables(conn) == set()


def open_together(path: Path, count: int) -> list[BaseException]:
    """Open ``count`` stores on ``path`` at the same moment; return their errors."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def open_one() -> None:
        start.wait()
        try:
            SqliteStore(path).close()
        except BaseException as exc:  # collected: a thread's error would vanish
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_stores_opening_a_fresh_file_together_migrate_it_once(tmp_path: Path) -> None:
    for round_ in range(3):  # a race: several rounds make a lost one show
        path = tmp_path / f"fresh-{round_}.db"
        assert open_together(path, 6) == []
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("SELECT count(*) FROM fabula_schema").fetchone()[0] == LATEST


def test_an_unknown_mode_is_a_configuration_error(path: Path) -> None:
    with pytest.raises(ConfigurationError, match="sometimes"):
        SqliteStore(path, migrate="sometimes")  # type: ignore[arg-type]


def test_a_missing_table_is_a_schema_error(path: Path, conn: sqlite3.Connection) -> None:
    with SqliteStore(path) as store:
        conn.execute("DROP TABLE stream_lifecycle")
        with pytest.raises(SchemaError, match="no such table: stream_lifecycle"):
            store.list_streams()


def test_a_file_with_a_streams_table_keeps_its_versions_after_migration_4(
    path: Path, conn: sqlite3.Connection
) -> None:
    """Version 4 drops ``streams``: versions, listing and counting come from the log."""
    before = next(i for i, m in enumerate(MIGRATIONS) if m.name.endswith("_streams_from_the_log"))
    migrate(conn, MIGRATIONS[:before])
    insert = (
        "INSERT INTO events (stream_id, version, event_id, type, schema_version, data, "
        "metadata, recorded_at, category) VALUES (?, ?, randomblob(16), 'Noted', 1, '{}', "
        "'{}', 0, ?)"
    )
    for stream_id, versions in (("note-a", 3), ("note-b", 1), ("memo-c", 2)):
        for version in range(1, versions + 1):
            conn.execute(insert, (stream_id, version, stream_id.partition("-")[0]))
        conn.execute("INSERT INTO streams VALUES (?, ?, ?)", (stream_id, versions, "x"))
    with open_store(f"sqlite:///{path}") as store:
        assert "streams" not in tables(conn)
        assert [(s.stream_id, s.version) for s in store.list_streams("note-")] == [
            ("note-a", 3),
            ("note-b", 1),
        ]
        assert store.count_streams() == 3
        assert store.count_streams("memo") == 1
        appended = store.append(
            "note-a",
            [NewEvent(event_id=uuid.uuid4(), type="Noted", data="{}")],
            precondition=ExpectedVersion(3),
        )
        assert appended.version == 4
        with pytest.raises(ConcurrencyError):
            store.append(
                "note-b",
                [NewEvent(event_id=uuid.uuid4(), type="Noted", data="{}")],
                precondition=ExpectedVersion(0),
            )
        assert store.read_stream("note-a")[-1].version == 4


def test_scripts_split_into_statements() -> None:
    script = (
        "-- a comment\nCREATE TABLE a (x);\n\nCREATE TABLE b (\n  y TEXT -- why\n);\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\nEND;\n"
        "-- a closing comment\n"
    )
    assert _statements(script) == [
        "-- a comment\nCREATE TABLE a (x);",
        "CREATE TABLE b (\n  y TEXT -- why\n);",
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\nEND;",
    ]
