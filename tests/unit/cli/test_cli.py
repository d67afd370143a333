from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from fabula.cli import main
from fabula.cli._main import build_parser
from fabula.store import NewEvent, open_store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_demo_runs_end_to_end_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    status, out, _ = run(capsys, "demo", "--db", str(db), "--fresh")
    assert status == 0
    assert "+ todo_created (version 1, position 1)" in out
    assert "refused: already_created: attempt to create when already created" in out
    assert "conflict: stream 'todo-demo-1': expected version 1, but it is at version 4" in out
    assert "state of todo-demo-1 at version 5" in out
    assert '{"initial_description":{"text":"Buy milk"}}' in out
    assert db.exists()
    # A second run adds a second todo to the same file.
    status, out, _ = run(capsys, "demo", "--db", str(db))
    assert "stream todo-demo-2" in out


def fill(url: str) -> None:
    store = open_store(url)
    for stream in ("order-1", "order-2", "user-1"):
        store.append(
            stream,
            [
                NewEvent(
                    event_id=uuid.uuid4(), type=f"{stream.split('-')[0]}_made", data='{"n":1}'
                ),
                NewEvent(event_id=uuid.uuid4(), type="touched", data="{}", metadata='{"by":"x"}'),
            ],
        )
    store.close()


def test_streams_lists_by_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    fill(url)
    status, out, _ = run(capsys, "streams", url, "--prefix", "order-")
    assert status == 0
    lines = out.splitlines()
    assert lines[1].split() == ["order-1", "2"]
    assert lines[2].split() == ["order-2", "2"]
    assert lines[-1] == "(2 streams)"


def test_events_filters_and_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    fill(url)
    _, out, _ = run(capsys, "events", url)
    assert len(out.splitlines()) == 6
    _, out, _ = run(capsys, "events", url, "--stream", "order-2")
    assert [line.split()[1] for line in out.splitlines()] == ["order-2@1", "order-2@2"]
    _, out, _ = run(capsys, "events", url, "--type", "touched", "--limit", "2")
    assert [line.split()[0] for line in out.splitlines()] == ["#2", "#4"]
    _, out, _ = run(capsys, "events", url, "--category", "user", "--after", "1")
    assert [line.split()[1] for line in out.splitlines()] == ["user-1@1", "user-1@2"]
    assert 'meta={"by":"x"}' in out


def test_bad_url_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "streams", "mysql://nope")
    assert status == 1
    assert err.startswith("fabula: error: unknown store URL 'mysql://nope'")


@pytest.mark.parametrize("command", ["demo", "streams", "events"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: fabula {command}" in out
    assert len(out.splitlines()) > 4


def test_top_level_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for command in ("demo", "streams", "events"):
        assert command in text


def test_events_follow_prints_new_events_live(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    fill(url)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    follower = subprocess.Popen(
        [sys.executable, "-m", "fabula", "events", url, "--follow", "--after", "6"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        time.sleep(0.5)
        store = open_store(url)
        store.append("late-1", [NewEvent(event_id=uuid.uuid4(), type="late", data='{"x":2}')])
        store.close()
        assert follower.stdout is not None
        line = follower.stdout.readline()
        assert "late-1@1" in line
        assert '{"x":2}' in line
    finally:
        follower.kill()
        follower.wait()
        if follower.stdout is not None:
            follower.stdout.close()


def test_stream_lifecycle_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    fill(url)
    assert run(capsys, "stream", "archive", url, "order-1")[0] == 0
    _, out, _ = run(capsys, "streams", url, "--prefix", "order-")
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["order-2"]
    _, out, _ = run(capsys, "streams", url, "--archived")
    assert out.splitlines()[1].split() == ["order-1", "2"]
    assert out.splitlines()[-1] == "(1 archived stream)"
    status, _, err = run(capsys, "events", url, "--stream", "order-1")
    assert status == 1
    assert "is archived" in err
    assert run(capsys, "stream", "unarchive", url, "order-1")[0] == 0
    status, _, err = run(capsys, "stream", "delete", url, "order-1")
    assert status == 2
    assert "would delete order-1 (version 2, live)" in err
    assert "--yes" in err
    status, out, _ = run(capsys, "stream", "delete", url, "order-1", "--yes")
    assert (status, out.strip()) == (0, "deleted order-1: tombstone at version 3")
    _, out, _ = run(capsys, "streams", url, "--deleted")
    assert out.splitlines()[1].split() == ["order-1", "3"]
    status, _, err = run(capsys, "stream", "archive", url, "order-1")
    assert status == 1
    assert "is deleted" in err
    assert run(capsys, "stream", "truncate", url, "order-2", "--before", "2")[0] == 2
    with open_store(url) as store:
        assert store.stream_state("order-2").truncated_before == 1
    status, out, _ = run(capsys, "stream", "truncate", url, "order-2", "--before", "2", "--yes")
    assert status == 0
    assert "truncated order-2 before version 2 (no snapshot kept)" in out
    _, out, _ = run(capsys, "events", url, "--stream", "order-2")
    assert [line.split()[1] for line in out.splitlines()] == ["order-2@2"]
    status, _, err = run(capsys, "stream", "truncate", url, "user-1", "--before", "9", "--yes")
    assert status == 1
    assert "before: got 9; wanted 1..3" in err
