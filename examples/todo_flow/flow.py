"""The todo flow wired together, and the seed's two dispatches (seed 002, section B).

``build_flow(store)`` is the seed's ``Eventuality.Flow({eventStore, eventBus,
commandHandlers})``; ``main()`` runs the seed's usage::

    python -m examples.todo_flow [store-url]     # default: memory://
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from examples.todo_flow.aggregate import Todo, stream_id
from examples.todo_flow.commands import CreateTodo, MarkAsCompleted
from examples.todo_flow.events import TodoCompletedEvent, TodoCreatedEvent
from examples.todo_flow.listeners import TodoDatabase, log_stuff
from fabula import EventStore, Flow, open_store

__all__ = ["build_flow", "main"]


def build_flow(store: EventStore, database: TodoDatabase | None = None) -> Flow:
    """Return a flow over ``store`` that routes the todo commands and runs the listeners.

    Args:
        store: where the events go.
        database: the read side the listeners update (a new one if not given).
    """
    database = database if database is not None else TodoDatabase()
    flow = Flow(store)
    flow.register(Todo, stream_id=lambda command: stream_id(command.id))
    flow.listen(TodoCreatedEvent, database.update_db)
    flow.listen(TodoCreatedEvent, log_stuff)
    flow.listen(TodoCompletedEvent, database.mark_completed)
    return flow


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the seed's two commands against a store and show what happened."""
    parser = argparse.ArgumentParser(prog="python -m examples.todo_flow")
    parser.add_argument("url", nargs="?", default="memory://", help="event store URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

    store = open_store(args.url)
    try:
        database = TodoDatabase()
        flow = build_flow(store, database)
        created = flow.dispatch(
            CreateTodo(id="todo1", description="Create a todo"), metadata={"user": "demo"}
        )
        completed = flow.dispatch(MarkAsCompleted(id="todo1"), metadata={"user": "demo"})
        for result in (created, completed):
            for recorded in result.events:
                where = f"{recorded.stream_id} v{recorded.version} @{recorded.position}"
                print(f"{where}: {recorded.event}")
        loaded = flow.repository(Todo).load(stream_id("todo1"))
        print(f"state at version {loaded.version}: {loaded.state}")
        print(f"database: {database.todos}")
    finally:
        store.close()
    return 0
