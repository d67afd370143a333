"""``fabula projections status`` and ``rebuild`` of a partitioned projection, on both SQL stores."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fabula import ConfigurationError
from fabula.read import ErrorPolicy, LeaseSettings, PartitionedWorker, open_target, partition_of
from fabula.read.running._partitions import partition_name
from fabula.store import open_store

from . import cli_app, domain
from .domain import Create, Rename
from .kits import SettlingFlow
from .test_cli import _fabula

N = cli_app.PARTITIONS


def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _check_status_and_rebuild(
    app: str,
    store_url: str,
    target_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sql = domain.todo_sql(mark="%s" if store_url.startswith("postgres") else "?")
    with open_store(store_url) as store, open_target(target_url) as target:
        flow = SettlingFlow(domain.make_flow(store))
        for number in range(9):
            flow.dispatch(Create(f"t{number}", "fine"))
        poisoned = flow.dispatch(Create("p", "poison")).position or 0
        head = flow.dispatch(Rename("t1", "renamed")).position or 0
        worker = PartitionedWorker(
            store,
            sql,
            target=target,
            partitions=N,
            registry=domain.registry(),
            policy=ErrorPolicy(retries=0, backoff=0.0, on_park="continue"),
            lease=LeaseSettings(ttl=5.0, acquire_interval=0.05, owner="worker-one"),
            poll_interval=0.05,
        )
        worker.start()
        try:
            names = [partition_name("todo_list", i) for i in range(N)]
            _until(lambda: all(target.checkpoint(n).position >= head for n in names))

            assert _fabula("projections", "status", "--app", app) == 0
            header, *rows = capsys.readouterr().out.splitlines()
            assert header.split()[:4] == ["projection", "position", "head", "lag"]
            assert [row.split()[0] for row in rows] == names  # one row per partition
            for row in rows:  # checkpoint at the head, no lag, lease held by the worker
                assert row.split()[1:4] == [str(head), str(head), "0"]
                assert row.split()[-1] == "worker-one"
        finally:
            worker.stop()
        assert len(_read(target, sql.name)) == 9
        assert _fabula("projections", "parked", "--app", app, "todo_list") == 0
        owner = partition_name("todo_list", partition_of("todo-p", N))
        assert f"{owner}  #{poisoned}  todo-p@1" in capsys.readouterr().out
        monkeypatch.setattr(domain, "POISON_TITLES", set())
        assert _fabula("projections", "retry", "--app", app, "todo_list", str(poisoned)) == 0
        capsys.readouterr()
        built = _read(target, sql.name)
        assert len(built) == 10

        with pytest.raises(ConfigurationError, match="in place only"):
            _fabula("projections", "rebuild", "--app", app, "todo_list", "--copy")
        _break(target, target_url)  # the rebuild must empty the table and replay every partition
        assert _read(target, sql.name) != built
        assert _fabula("projections", "rebuild", "--app", app, "todo_list") == 0
        out = capsys.readouterr().out
        assert f"rebuilt todo_list to position {head}" in out
        assert [line.split()[0] for line in out.splitlines()[2:]] == names
        assert _read(target, sql.name) == built


def _read(target: Any, name: str) -> list[tuple[Any, ...]]:
    if hasattr(target, "connection"):
        with target.connection() as conn:
            return domain.sql_rows(conn, name)
    return target.read(lambda conn: domain.sql_rows(conn, name))  # type: ignore[no-any-return]


def _break(target: Any, target_url: str) -> None:
    """Add one to every row's ``applied`` count, as if its events had been applied twice."""
    statement = "UPDATE todo_list SET applied = applied + 1"
    if hasattr(target, "connection"):
        with target.connection() as conn:
            conn.execute(statement)
        return
    with sqlite3.connect(target_url.removeprefix("sqlite:///")) as conn:
        conn.execute(statement)
    conn.close()


def test_status_and_rebuild_of_a_partitioned_projection_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_url, target_url = f"sqlite:///{tmp_path / 'e.db'}", f"sqlite:///{tmp_path / 'r.db'}"
    monkeypatch.setenv("FABULA_READ_TEST_STORE", store_url)
    monkeypatch.setenv("FABULA_READ_TEST_TARGET", target_url)
    app = "tests.unit.read.cli_app:make_partitioned"
    _check_status_and_rebuild(app, store_url, target_url, capsys, monkeypatch)


@pytest.mark.postgres
def test_status_and_rebuild_of_a_partitioned_projection_on_postgres(
    postgres_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABULA_READ_TEST_STORE", postgres_schema_url)
    app = "tests.unit.read.cli_app:make_partitioned_postgres"
    _check_status_and_rebuild(app, postgres_schema_url, postgres_schema_url, capsys, monkeypatch)
