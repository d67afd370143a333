"""``fabula demo``: the todo example (seed 000) end to end on a SQLite file, narrated."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fabula._errors import ConcurrencyError, DomainError
from fabula.app import DispatchResult, Flow
from fabula.cli._examples import ExamplesNotFound, add_source_argument, import_example
from fabula.cli._inspect import format_event
from fabula.store import open_store

__all__ = ["register", "run_demo"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    demo = commands.add_parser(
        "demo",
        help="run the todo example end to end on a SQLite file, printing each step",
        description="Dispatch the todo example's commands against a SQLite store and print "
        "the commands, the events they store, refusals, and the resulting state.",
    )
    demo.add_argument("--db", default="demo.db", help="SQLite file to use (default: demo.db)")
    demo.add_argument("--fresh", action="store_true", help="delete the file first")
    add_source_argument(demo)
    demo.set_defaults(
        run=lambda args: run_demo(Path(args.db), fresh=args.fresh, source=args.source)
    )


def run_demo(path: Path, *, fresh: bool = False, source: Path | None = None) -> int:
    """Run the narrated todo demo against the SQLite file at ``path``.

    The todo example comes from the checkout at ``source`` (see ``fabula.cli._examples``).
    """
    try:
        t = import_example("examples.todo", source)
    except ExamplesNotFound as exc:
        print(f"fabula demo: {exc}", file=sys.stderr)
        return 2
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    store = open_store(url)
    flow = Flow(store)
    repository = flow.register(t.todo, stream_id=t.stream_of)
    now = datetime.now(UTC).replace(microsecond=0)
    todo_id = f"demo-{store.count_streams('todo-') + 1}"
    who = t.TodoMetadata(initiated_by="demo").to_json()

    def step(label: str, command: Any, **options: Any) -> DispatchResult | None:
        print(f"\n> {label}")
        try:
            result = flow.dispatch(command, metadata=who, **options)
        except DomainError as exc:
            print(f"  refused: {exc.code}: {exc.message}")
            return None
        except ConcurrencyError as exc:
            print(f"  conflict: {exc}")
            return None
        if not result.events:
            print(f"  no events: nothing to change (still version {result.version})")
        for recorded in result.events:
            print(f"  + {recorded.type} (version {recorded.version}, position {recorded.position})")
        return result

    print(f"fabula demo: the todo example (seed 000) on {url}")
    print(f"stream {t.stream_id(todo_id)}")
    step(
        'CreateTodo "Buy milk", reminder in one hour',
        t.CreateTodo(
            todo_id=todo_id,
            description=t.Description("Buy milk"),
            reminder=t.Reminder.new(now + timedelta(hours=1), now),
        ),
    )
    step(
        'UpdateDescription "Buy oat milk"',
        t.UpdateDescription(todo_id=todo_id, new_description=t.Description("Buy oat milk")),
    )
    step("MarkCompleted", t.MarkCompleted(todo_id=todo_id))
    step("MarkCompleted again", t.MarkCompleted(todo_id=todo_id))
    step(
        "CancelReminder, sent with a stale expected version 1",
        t.CancelReminder(todo_id=todo_id),
        expected_version=1,
    )
    step("CancelReminder", t.CancelReminder(todo_id=todo_id))
    step(
        "CreateTodo on the same id",
        t.CreateTodo(todo_id=todo_id, description=t.Description("Again")),
    )
    step("ToggleCompletion on a todo that does not exist", t.ToggleCompletion(todo_id="missing"))
    try:
        t.Description("")
    except DomainError as exc:
        print(f'\n> Description("")\n  refused before dispatch: {exc.code}: {exc.message}')

    stream = t.stream_id(todo_id)
    loaded = repository.load(stream)
    print(f"\nstate of {stream} at version {loaded.version}:\n  {loaded.state}")
    past = repository.load(stream, as_of_version=2)
    print(f"time travel, as of version 2:\n  {past.state}")
    print(f"\nstored events of {stream}:")
    for item in store.read_stream(stream):
        print(f"  {format_event(item)}")
    print(
        f"\nthe store holds {store.count_streams()} stream(s), {store.head()} event(s): "
        f"try `fabula events {url}`"
    )
    store.close()
    return 0
