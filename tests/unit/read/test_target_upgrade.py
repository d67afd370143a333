"""A target made by an older fabula is upgraded when opened (migration 1: failures)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from fabula.read import Failure, Target
from fabula.read.sqlite import SqliteTarget

OLD_CHECKPOINTS = {
    "sqlite": "CREATE TABLE fabula_checkpoints (name TEXT PRIMARY KEY, "
    "position INTEGER NOT NULL, updated_at REAL NOT NULL) WITHOUT ROWID",
    "postgres": "CREATE TABLE fabula_checkpoints (name text PRIMARY KEY, "
    "position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())",
}
"""``fabula_checkpoints`` as fabula created it before failures were recorded."""


def check_upgraded(target: Target) -> None:
    """The old checkpoint is kept, and failures are recorded and read back."""
    assert target.checkpoint("old").position == 42
    assert target.failure("old") is None
    at = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    failure = Failure(name="old", position=43, attempts=2, error="RuntimeError: x", failed_at=at)
    target.record_failure(failure)
    assert target.failure("old") == failure


def test_an_old_sqlite_target_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(OLD_CHECKPOINTS["sqlite"])
    conn.execute("INSERT INTO fabula_checkpoints VALUES ('old', 42, 0)")
    conn.commit()
    conn.close()
    target = SqliteTarget(f"sqlite:///{path}")
    try:
        check_upgraded(target)
    finally:
        target.close()
    again = SqliteTarget(f"sqlite:///{path}")  # opening an upgraded target changes nothing
    try:
        assert again.failure("old") is not None
    finally:
        again.close()
