"""A SQLite store dropped without ``close()``: it holds no thread, and its files close.

Unlike the PostgreSQL store (tests/integration/test_postgres_lifetime.py), nothing of a
SQLite store outlives it: its ``sqlite3`` connections close when they are collected.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import uuid
from pathlib import Path

import pytest

from fabula.store import NewEvent
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore


def _events() -> list[NewEvent]:
    return [NewEvent(event_id=uuid.uuid4(), type="Kept", data="{}")]


def _open_files(path: Path) -> int:
    fds = Path("/proc/self/fd")
    targets = []
    for fd in os.listdir(fds):
        try:
            targets.append(os.readlink(fds / fd))
        except OSError:
            continue
    return sum(1 for t in targets if t.startswith(str(path)))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to count files")
def test_a_dropped_sqlite_store_holds_no_thread_and_closes_its_files(tmp_path):
    path = tmp_path / "dropped.db"
    before = set(threading.enumerate())
    store = SqliteStore(path)
    store.append("dropped-4", _events())
    assert store.read_all()
    assert set(threading.enumerate()) == before
    assert _open_files(path) > 0
    del store
    gc.collect()
    assert _open_files(path) == 0

    async def scenario() -> None:
        store = AsyncSqliteStore(path)
        await store.append("dropped-5", _events())
        assert _open_files(path) > 0
        del store
        # The worker thread that ran the append may hold its call a moment after the
        # await returned: look again (a bound, not a measurement).
        for _ in range(500):
            gc.collect()
            if not _open_files(path):
                break
            await asyncio.sleep(0.01)
        assert _open_files(path) == 0

    asyncio.run(scenario())
