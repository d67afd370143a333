"""Inspection commands never create, migrate or change a store; no store there is an error."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from fabula.cli import main


def _look(path: Path) -> tuple[set[str], str]:
    with closing(sqlite3.connect(path)) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return names, conn.execute("PRAGMA journal_mode").fetchone()[0]


@pytest.mark.parametrize("command", ["streams", "events"])
def test_a_missing_sqlite_file_is_an_error_and_stays_missing(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "typo.db"
    assert main([command, f"sqlite:///{path}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fabula: error: no fabula store at")
    assert "typo.db" in err
    assert not path.exists()


@pytest.mark.parametrize("command", ["streams", "events"])
def test_another_applications_file_is_left_as_it_was(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
        conn.commit()
    size = path.stat().st_size
    assert main([command, f"sqlite:///{path}"]) == 1
    assert "no fabula store" in capsys.readouterr().err
    assert _look(path) == ({"customers"}, "delete")
    assert path.stat().st_size == size


@pytest.mark.parametrize("command", ["streams", "events"])
def test_a_missing_postgres_schema_is_an_error_and_stays_missing(
    command: str, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg  # the postgres extra: present when the fixture is

    schema = f"typo_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in postgres_url else "?"
    try:
        assert main([command, f"{postgres_url}{sep}schema={schema}"]) == 1
        assert "holds no fabula tables" in capsys.readouterr().err
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
            assert found.fetchone() is None
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # only if we made it
