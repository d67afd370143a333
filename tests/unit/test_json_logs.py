"""fabula.logs: one JSON object per record, with fabula's structured fields."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabula import Flow
from fabula.app import LogCommands
from fabula.logs import configure_logging
from fabula.read import ErrorPolicy, ProjectionRunner
from fabula.read.sqlite import SqliteTarget
from fabula.store.sqlite import SqliteStore
from tests.unit.read import domain
from tests.unit.read.domain import Create


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out = io.StringIO()
    configure_logging(format="json", level=logging.INFO, stream=out)
    try:
        yield out
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_a_parked_event_is_logged_with_its_coordinates(lines: io.StringIO, tmp_path: Path) -> None:
    with (
        SqliteStore(str(tmp_path / "e.db")) as store,
        SqliteTarget(str(tmp_path / "r.db")) as target,
    ):
        flow = domain.make_flow(store)
        result = flow.dispatch(Create("a", "poison"))
        policy = ErrorPolicy(retries=0, backoff=0.0, on_park="continue")
        ProjectionRunner(
            flow, domain.todo_sql(), target=target, policy=policy
        ).run_until_caught_up()
    records = [json.loads(line) for line in lines.getvalue().splitlines()]
    (parked,) = [r for r in records if "parked" in r["message"]]
    assert parked["level"] == "ERROR"
    assert parked["logger"] == "fabula.read"
    assert parked["stream_id"] == "todo-a"
    assert parked["event_type"] == "todo_created"
    assert parked["position"] == result.position
    assert parked["correlation_id"] == str(result.command_id)
    assert parked["time"].endswith("+00:00")


def test_an_exception_goes_under_exception(lines: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed %s", "here", extra={"who": "me"})
    record = json.loads(lines.getvalue())
    assert record["message"] == "failed here"
    assert record["who"] == "me"
    assert "ValueError: boom" in record["exception"]


def test_log_commands_records_carry_the_command_and_its_stream(
    lines: io.StringIO, tmp_path: Path
) -> None:
    with SqliteStore(str(tmp_path / "e.db")) as store:
        flow = Flow(store, registry=domain.registry(), middleware=[LogCommands()])
        flow.register(domain.Todo, stream_id=domain.stream)
        result = flow.dispatch(Create("a", "first"))
    (record,) = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert record["logger"] == "fabula.commands"
    assert record["command_type"] == "Create"
    assert record["correlation_id"] == record["command_id"] == str(result.command_id)
    assert (record["stream_id"], record["position"]) == ("todo-a", result.position)
