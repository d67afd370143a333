"""``fabula projections status`` and ``parked`` only look: they create or change nothing.

A store that is not there is an error (exit 1); a read model that is not there yet
reads as empty: every checkpoint at 0, nothing parked.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from fabula.cli import main
from fabula.store.sqlite import SqliteStore

from . import domain
from .domain import Create

APP = "tests.unit.read.cli_app:make"


def _app(monkeypatch: pytest.MonkeyPatch, store: str, target: str) -> None:
    monkeypatch.setenv("FABULA_READ_TEST_STORE", store)
    monkeypatch.setenv("FABULA_READ_TEST_TARGET", target)


def _filled(path: Path) -> str:
    with SqliteStore(path) as store:
        domain.make_flow(store).dispatch(Create("a", "fine"))
    return f"sqlite:///{path}"


def test_status_and_parked_create_no_read_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _app(monkeypatch, _filled(tmp_path / "e.db"), f"sqlite:///{tmp_path / 'r.db'}")
    assert main(["projections", "status", "--app", APP]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:4] == ["todo_list", "0", "1", "1"]
    assert main(["projections", "parked", "--app", APP]) == 0
    assert capsys.readouterr().out == "no parked events\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("r.db")]


def test_status_of_a_missing_store_is_an_error_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _app(monkeypatch, f"sqlite:///{tmp_path / 'typo.db'}", f"sqlite:///{tmp_path / 'r.db'}")
    assert main(["projections", "status", "--app", APP]) == 1
    assert "no fabula store at" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_status_leaves_another_applications_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
        conn.commit()
    _app(monkeypatch, _filled(tmp_path / "e.db"), f"sqlite:///{other}")
    assert main(["projections", "status", "--app", APP]) == 0
    capsys.readouterr()
    with closing(sqlite3.connect(other)) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_status_creates_no_postgres_schema(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    postgres_url: str,
) -> None:
    import psycopg  # the postgres extra: present when the fixture is

    schema = f"typo_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in postgres_url else "?"
    missing = f"{postgres_url}{sep}schema={schema}"
    try:
        _app(monkeypatch, _filled(tmp_path / "e.db"), missing)
        assert main(["projections", "status", "--app", APP]) == 0
        assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["todo_list", "0"]
        _app(monkeypatch, missing, missing)
        assert main(["projections", "status", "--app", APP]) == 1
        assert "holds no fabula tables" in capsys.readouterr().err
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
            assert found.fetchone() is None
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # only if we made it
