"""``fabula projections ...`` (src/fabula/cli/_projections.py), driven through its parser."""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fabula import ConfigurationError
from fabula._apps import load_app
from fabula.cli import _projections
from fabula.read import ProjectionSet
from fabula.store import open_store
from fabula.store.sqlite import SqliteStore

from . import domain
from .domain import Create, Rename

APP = "tests.unit.read.cli_app:make"


def _fabula(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="fabula")
    _projections.register(parser.add_subparsers(required=True))
    args = parser.parse_args(list(argv))
    code: int = args.run(args)
    return code


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    monkeypatch.setenv("FABULA_READ_TEST_STORE", f"sqlite:///{tmp_path / 'e.db'}")
    monkeypatch.setenv("FABULA_READ_TEST_TARGET", f"sqlite:///{tmp_path / 'r.db'}")
    return SqliteStore(str(tmp_path / "e.db"))


def test_status_rebuild_parked_retry_discard(
    store: SqliteStore, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = domain.make_flow(store)
    flow.dispatch(Create("a", "poison"))
    flow.dispatch(Create("b", "fine"))
    flow.dispatch(Rename("b", "renamed"))

    assert _fabula("projections", "status", "--app", APP) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["projection", "position", "head", "lag"]
    assert row.split()[:4] == ["todo_list", "0", "3", "3"]

    assert _fabula("projections", "rebuild", "--app", APP, "todo_list") == 0
    captured = capsys.readouterr()
    assert "rebuilt todo_list to position 3" in captured.out
    assert "todo_list 100% 3/3 events" in captured.err  # counted events, not positions
    assert "\r" not in captured.err  # not a terminal: plain lines

    assert _fabula("projections", "parked", "--app", APP) == 0
    out = capsys.readouterr().out
    assert "todo_list  #1  todo-a@1  todo_created  attempts=1" in out
    assert "Poison: todo-a" in out

    assert _fabula("projections", "retry", "--app", APP, "todo_list", "1") == 1
    assert "still failing: Poison: todo-a" in capsys.readouterr().err

    monkeypatch.setattr(domain, "POISON_TITLES", set())
    assert _fabula("projections", "retry", "--app", APP, "todo_list", "1") == 0
    assert "applied todo_list #1" in capsys.readouterr().out
    assert _fabula("projections", "parked", "--app", APP, "todo_list") == 0
    assert capsys.readouterr().out == "no parked events\n"

    monkeypatch.setattr(domain, "POISON_TITLES", {"poison"})
    flow.dispatch(Create("c", "poison"))
    assert _fabula("projections", "rebuild", "--app", APP, "todo_list", "--copy") == 0
    capsys.readouterr()
    assert _fabula("projections", "parked", "--app", APP, "--details") == 0
    out = capsys.readouterr().out
    assert "#1  todo-a@1" in out
    assert "#4  todo-c@1" in out
    assert "Traceback" in out
    assert _fabula("projections", "discard", "--app", APP, "todo_list", "4") == 0
    assert _fabula("projections", "discard", "--app", APP, "todo_list", "1") == 0
    capsys.readouterr()
    assert _fabula("projections", "status", "--app", APP, "todo_list") == 0
    cells = capsys.readouterr().out.splitlines()[1].split()
    assert (cells[5:7], cells[-1]) == (["stopped", "0"], "-")
    store.close()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nocolon", "must look like"),
        ("tests.unit.read.nope:make", "cannot import"),
        ("tests.unit.read.cli_app:nope", "has no attribute"),
        ("tests.unit.read.domain:POISON_TITLES", "not a ProjectionSet"),
    ],
)
def test_load_app_explains_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_app(spec, ProjectionSet)


def test_status_wait_returns_once_caught_up_or_fails_after_the_timeout(
    store: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = domain.make_flow(store)
    flow.dispatch(Create("a", "one"))
    assert _fabula("projections", "status", "--app", APP, "--wait", "0.2") == 1
    assert "did not pass position 1" in capsys.readouterr().err
    load_app(APP, ProjectionSet).run_until_caught_up()
    assert _fabula("projections", "status", "--app", APP, "--wait", "5") == 0
    row = capsys.readouterr().out.splitlines()[1]
    assert row.split()[:3] == ["todo_list", "1", "1"]


@pytest.mark.timeout(60)
def test_a_single_worker_logs_its_start_and_lease_with_timestamps(
    store: SqliteStore, tmp_path: Path
) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "fabula", "projections", "run", "--app", APP],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stderr is not None
    lines: list[str] = []
    try:
        for line in worker.stderr:
            lines.append(line)
            if "took the lease" in line:
                break
    finally:
        worker.send_signal(signal.SIGTERM)
        _, rest = worker.communicate(timeout=30)
    lines.extend(rest.splitlines())
    assert worker.returncode == 0
    assert any(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d.* starts: todo_list", x) for x in lines)
    assert any("took the lease" in line for line in lines)
    assert any("stopped" in line for line in lines)


@pytest.mark.timeout(60)
def test_run_says_what_it_runs_and_why_it_stops_and_logs_json(store: SqliteStore) -> None:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fabula",
            "--log-format",
            "json",
            "--log-level",
            "INFO",
            "projections",
            "run",
            "--app",
            APP,
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stderr is not None
    lines: list[str] = []
    try:
        for line in worker.stderr:
            lines.append(line)
            if "took the lease" in line:
                break
    finally:
        worker.send_signal(signal.SIGTERM)
        _, rest = worker.communicate(timeout=30)
    lines.extend(rest.splitlines())
    assert worker.returncode == 0
    said = [line.strip() for line in lines if line.startswith("fabula: ")]
    assert said[0] == f"fabula: running todo_list from {APP} in one worker, lease ttl 5s"
    assert said[-1] == "fabula: stopped: asked to (SIGTERM or Ctrl-C); leases released"
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r["logger"] == "fabula.read" and "took the lease" in r["message"] for r in logged)


def test_status_and_parked_as_json(store: SqliteStore, capsys: pytest.CaptureFixture[str]) -> None:
    flow = domain.make_flow(store)
    flow.dispatch(Create("a", "poison"))
    flow.dispatch(Create("b", "fine"))
    assert _fabula("projections", "rebuild", "--app", APP, "todo_list") == 0
    capsys.readouterr()

    assert _fabula("projections", "status", "--json", "--app", APP) == 0
    shown = json.loads(capsys.readouterr().out)
    (status,) = shown["projections"]
    assert (status["name"], status["position"], status["head"]) == ("todo_list", 2, 2)
    assert (status["state"], status["parked"], status["rebuild"]) == ("stopped", 1, None)
    assert shown["notes"] == []

    assert _fabula("projections", "parked", "--json", "--app", APP) == 0
    (letter,) = json.loads(capsys.readouterr().out)["parked"]
    assert (letter["name"], letter["position"], letter["stream_id"]) == ("todo_list", 1, "todo-a")
    assert letter["error"].startswith("Poison")


@pytest.mark.postgres
def test_rebuild_counts_events_on_postgres_and_status_prints_json(
    postgres_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABULA_READ_TEST_STORE", postgres_schema_url)
    app = "tests.unit.read.cli_app:make_postgres"
    with open_store(postgres_schema_url) as store:
        flow = domain.make_flow(store)
        for number in range(5):
            flow.dispatch(Create(str(number), "fine"))
        head = store.head()
    assert head > 5  # positions are sparse on PostgreSQL: a share of them jumps

    assert _fabula("projections", "rebuild", "--app", app, "todo_list") == 0
    err = capsys.readouterr().err
    assert err.startswith("todo_list 100% 5/5 events")
    assert err.count("\n") == 1

    assert _fabula("projections", "status", "--json", "--app", app) == 0
    (status,) = json.loads(capsys.readouterr().out)["projections"]
    assert (status["position"], status["head"], status["lag_events"]) == (head, head, 0)
