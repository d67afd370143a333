"""No order of start, stop, close, cancel or exception may hang, on any backend.

Each backend's scenarios (``lifecycle_orders.py``) run in a child process with a
timeout: a hang fails the test and names the scenario, instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .lifecycle_orders import ASYNC, SYNC

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 120  # seconds; a scenario takes well under one, but the machine is shared


def _run(kind: str, store_url: str, target_url: str) -> None:
    command = [
        sys.executable,
        "-m",
        "tests.unit.read.lifecycle_orders",
        kind,
        store_url,
        target_url,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode()  # bytes, even with text=True
        started = [line.split()[1] for line in out.splitlines() if line.startswith("start ")]
        pytest.fail(f"{kind} scenario {started[-1] if started else '?'} hung (> {TIMEOUT} s)")
    assert done.returncode == 0, done.stderr
    names = [f.__name__ for f in (ASYNC if kind == "async" else SYNC)]
    assert done.stdout.split() == [word for name in names for word in ("start", name, "ok", name)]


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_memory(kind: str) -> None:
    _run(kind, "memory://", "memory://")


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_sqlite(kind: str, tmp_path: Path) -> None:
    _run(kind, f"sqlite:///{tmp_path / 'events.db'}", f"sqlite:///{tmp_path / 'read.db'}")


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_postgres(kind: str, postgres_schema_url: str) -> None:
    _run(kind, postgres_schema_url, postgres_schema_url)
