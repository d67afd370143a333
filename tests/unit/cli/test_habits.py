"""The habits every ``fabula`` command shares: --version, $FABULA_URL, --json, --app from cwd."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fabula.cli import main
from fabula.cli._event_count import EventCount
from fabula.cli._progress import Progress
from fabula.store import open_store
from fabula.store.sqlite import SqliteStore

from .test_cli import fill, run

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    found: str = request.getfixturevalue("postgres_schema_url")
    return found


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("fabula 0.")


def test_the_url_comes_from_fabula_url_when_left_out(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(url)
    monkeypatch.setenv("FABULA_URL", url)
    status, out, _ = run(capsys, "streams", "--prefix", "order-")
    assert status == 0
    assert out.splitlines()[1].split() == ["order-1", "2"]
    status, out, _ = run(capsys, "events", "--limit", "1")
    assert status == 0
    assert "order-1@1" in out


def test_no_url_at_all_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FABULA_URL", raising=False)
    status, _, err = run(capsys, "streams")
    assert status == 1
    assert "no store URL: give one, or set FABULA_URL" in err


def test_streams_and_events_as_json(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    fill(url)
    status, out, _ = run(capsys, "streams", url, "--json", "--limit", "2")
    assert status == 0
    assert json.loads(out) == {
        "streams": [
            {"stream_id": "order-1", "version": 2},
            {"stream_id": "order-2", "version": 2},
        ],
        "total": 3,
    }
    status, out, _ = run(capsys, "events", url, "--json")
    lines = [json.loads(line) for line in out.splitlines()]  # JSON Lines
    assert [(e["stream_id"], e["version"], e["type"]) for e in lines[:2]] == [
        ("order-1", 1, "order_made"),
        ("order-1", 2, "touched"),
    ]
    assert lines[0]["data"] == {"n": 1}
    assert lines[1]["metadata"] == {"by": "x"}
    assert len(lines) == 6
    status, out, _ = run(capsys, "events", url, "--json", "--stream", "user-1")
    assert [json.loads(line)["version"] for line in out.splitlines()] == [1, 2]


APP_MODULE = """
import os
from fabula.read import ProjectionSet, Projection

nothing = Projection("nothing", tables=["t"])


@nothing.setup
def create(tx):
    tx.execute("CREATE TABLE IF NOT EXISTS t (x)")


projections = ProjectionSet(os.environ["STORE"], os.environ["TARGET"], consumers=[nothing])
"""


def _cli(*argv: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | env
    return subprocess.run(
        [str(Path(sys.executable).parent / "fabula"), *argv],  # the script: cwd not on the path
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_app_is_found_in_the_current_directory_without_pythonpath(tmp_path: Path) -> None:
    (tmp_path / "myapp.py").write_text(APP_MODULE)
    env = {"STORE": f"sqlite:///{tmp_path / 'e.db'}", "TARGET": f"sqlite:///{tmp_path / 'r.db'}"}
    env["PYTHONSAFEPATH"] = "1"
    SqliteStore(str(tmp_path / "e.db")).close()
    done = _cli(
        "projections", "rebuild", "--app", "myapp:projections", "nothing", cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    done = _cli(
        "projections", "status", "--json", "--app", "myapp:projections", cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    (status,) = json.loads(done.stdout)["projections"]
    assert status["name"] == "nothing"
    assert status["state"] == "stopped"


def test_progress_on_a_file_prints_plain_counted_lines() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = Progress("todo", 1000, stream=out, terminal=False, every=5.0, clock=lambda: now[0])
    for done in range(0, 1001, 100):
        now[0] = done / 100  # 100 events a second
        progress.update(done)
    progress.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "todo  50% 500/1,000 events  100/s  ETA 0:05"
    assert lines[-1] == "todo 100% 1,000/1,000 events  100/s  ETA -"
    assert len(lines) == 3  # at 5 s, at 10 s, and the last


def test_progress_on_a_terminal_redraws_one_line() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = Progress("todo", 200, stream=out, terminal=True, clock=lambda: now[0])
    now[0] = 1.0
    progress.update(50)
    progress.close()
    frames = out.getvalue().split("\r")[1:]
    assert frames[0].startswith("todo [########......................]  25% 50/200 events  50/s")
    assert "ETA 0:03" in frames[0]
    assert frames[-1].endswith("\n")


@pytest.mark.postgres
def test_event_count_counts_events_not_sparse_positions(postgres_schema_url: str) -> None:
    fill(postgres_schema_url)
    store = open_store(postgres_schema_url)
    try:
        positions = [e.position for e in store.read_all()]
        assert positions[-1] - positions[0] > 1000  # PostgreSQL's positions have gaps
        count = EventCount(store, page=2)
        assert count.total == 6
        assert [count.through(p) for p in positions] == [0, 2, 2, 4, 4, 6]
        assert count.through(0) == 0
    finally:
        store.close()


def test_store_migrate_check_sql_and_apply_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    status, _, err = run(capsys, "store", "migrate", url, "--check")
    assert status == 1
    assert "schema check failed" in err
    assert not (tmp_path / "m.db").exists()  # a check creates nothing
    status, out, _ = run(capsys, "store", "migrate", url)
    assert (status, out) == (0, "schema is current (created or migrated if it was not)\n")
    status, out, _ = run(capsys, "store", "migrate", url, "--check", "--json")
    assert status == 0
    assert json.loads(out) == {"url": url, "current": True}

    status, ddl, _ = run(capsys, "store", "migrate", "sqlite:///unused.db", "--sql")
    assert status == 0
    assert not Path("unused.db").exists()  # --sql does not connect
    with sqlite3.connect(tmp_path / "by-dba.db", isolation_level=None) as conn:
        conn.executescript(ddl)
    conn.close()
    status, _, _ = run(capsys, "store", "migrate", f"sqlite:///{tmp_path / 'by-dba.db'}", "--check")
    assert status == 0  # the DDL makes the store this fabula expects


@pytest.mark.postgres
def test_store_migrate_check_and_sql_on_postgres(
    postgres_schema_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    from fabula._postgres._settings import settings_of

    status, _, err = run(capsys, "store", "migrate", postgres_schema_url, "--check")
    assert status == 1
    assert "holds no fabula tables" in err
    status, ddl, _ = run(capsys, "store", "migrate", postgres_schema_url, "--sql")
    assert status == 0
    settings = settings_of(postgres_schema_url)
    assert f'CREATE SCHEMA IF NOT EXISTS "{settings.schema}";' in ddl
    with psycopg.connect(settings.conninfo, autocommit=True) as conn:
        conn.execute(ddl.encode())
    status, out, _ = run(capsys, "store", "migrate", postgres_schema_url, "--check")
    assert (status, out) == (0, "schema is current: this fabula can use the store as it is\n")
    status, _, _ = run(capsys, "store", "migrate", postgres_schema_url)
    assert status == 0
