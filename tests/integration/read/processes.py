"""Helpers for the worker-process tests (tests/stress/test_projection_*.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fabula.app import uuid7
from fabula.read import open_target
from fabula.read.postgres import PostgresTarget
from fabula.read.sqlite import SqliteTarget
from fabula.store import NewEvent, open_store
from fabula.store.postgres import drop_schema
from tests.integration.read import worker_app
from tests.integration.read.kits import schema_of, with_schema
from tests.unit.read import domain
from tests.unit.read.domain import Completed, Created, Noted, Renamed

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Backend:
    """Where the events and the read models of one test live."""

    kind: str
    store_url: str
    target_url: str
    fresh_target_url: Callable[[], str]
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(
        self, *, delay: float = 0.0, ttl: float = 1.0, app: str = "worker_app"
    ) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "FABULA_READ_TEST_STORE": self.store_url,
            "FABULA_READ_TEST_TARGET": self.target_url,
            "FABULA_READ_TEST_DELAY": str(delay),
            "FABULA_READ_TEST_TTL": str(ttl),
            "PYTHONPATH": str(ROOT),
        }
        with (self.logs / f"worker-{len(self.workers)}.log").open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", f"tests.integration.read.{app}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def worker_logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.logs.glob("worker-*.log")))


@contextmanager
def backend(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Backend]:
    logs = tmp_path / "logs"
    logs.mkdir()
    if kind == "sqlite":
        counter = iter(range(1000))
        made = Backend(
            kind,
            f"sqlite:///{tmp_path / 'events.db'}",
            f"sqlite:///{tmp_path / 'read.db'}",
            lambda: f"sqlite:///{tmp_path / f'replay-{next(counter)}.db'}",
            logs,
        )
        try:
            yield made
        finally:
            made.stop_workers()
        return
    url: str = request.getfixturevalue("postgres_schema_url")
    base = schema_of(url)
    extra = [f"{base}_read"]

    def fresh() -> str:
        extra.append(f"{base}_replay{len(extra)}")
        return with_schema(url, extra[-1])

    made = Backend(kind, url, with_schema(url, extra[0]), fresh, logs)
    try:
        yield made
    finally:
        made.stop_workers()
        for schema in extra:
            drop_schema(with_schema(url, schema))


def fill(store_url: str, streams: range) -> int:
    """Append 5 events (4 handled) to each ``todo-<i>``; return the last position."""
    registry = domain.registry()
    store = open_store(store_url)
    last = 0
    try:
        for i in streams:
            records = []
            for value in (
                Created(f"t{i}"),
                Renamed(f"r{i}"),
                Noted("n"),
                Renamed(f"s{i}"),
                Completed(),
            ):
                name, version, data = registry.encode(value)
                records.append(
                    NewEvent(event_id=uuid7(), type=name, data=data, schema_version=version)
                )
            last = store.append(f"todo-{i}", records).positions[-1]
    finally:
        store.close()
    return last


def read_model(target_url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Return ``(todo_list rows, todo_seen rows)`` of a target."""
    target = open_target(target_url)
    rows = "SELECT id, title, done, applied FROM todo_list ORDER BY id"
    seen = "SELECT position, pid FROM todo_seen ORDER BY position"
    try:
        if isinstance(target, SqliteTarget):
            return target.read(
                lambda conn: (conn.execute(rows).fetchall(), conn.execute(seen).fetchall())
            )
        assert isinstance(target, PostgresTarget)
        with target.connection() as conn:
            return conn.execute(rows).fetchall(), conn.execute(seen).fetchall()
    finally:
        target.close()


def checkpoint(target_url: str) -> int:
    target = open_target(target_url)
    try:
        return target.checkpoint(worker_app.NAME).position
    finally:
        target.close()


def replay(made: Backend) -> list[tuple[Any, ...]]:
    """Build the read model from scratch in a fresh target, in this process."""
    url = made.fresh_target_url()
    projections = worker_app.make(made.store_url, url)
    try:
        projections.run_until_caught_up()
        assert projections.parked() == []
    finally:
        projections.close()
    return read_model(url)[0]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll ``condition``; return the seconds it took, or fail after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - started


def head(store_url: str) -> int:
    store = open_store(store_url)
    try:
        return store.head()
    finally:
        store.close()
