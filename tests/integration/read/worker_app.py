"""The app the worker-process tests run, configured from the environment.

``python -m tests.integration.read.worker_app`` runs one worker (``run_worker``) on:

- ``FABULA_READ_TEST_STORE``: the event store's URL;
- ``FABULA_READ_TEST_TARGET``: the read-model target's URL (SQLite or PostgreSQL);
- ``FABULA_READ_TEST_DELAY``: seconds each handler sleeps (to make batches take time);
- ``FABULA_READ_TEST_TTL``: the lease's time to live, in seconds.

The projection keeps ``todo_list`` (one row per todo) and ``todo_seen`` (one row per
applied event, keyed by its position, with the pid of the worker that applied it): an
event applied twice would break ``todo_seen``'s primary key and be parked.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from fabula import Recorded
from fabula.read import LeaseSettings, Projection, ProjectionSet, run_worker
from tests.unit.read import domain
from tests.unit.read.domain import Completed, Created, Renamed

NAME = "todo_list"


def projection(*, mark: str, delay: float = 0.0) -> Projection:
    """The stress tests' projection; ``mark`` is the driver's placeholder."""
    todo_list = Projection(NAME, tables=["todo_list", "todo_seen"], batch_size=50)

    @todo_list.setup
    def create_tables(tx: Any) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS todo_list (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
            "done INTEGER NOT NULL DEFAULT 0, applied INTEGER NOT NULL DEFAULT 1)"
        )
        tx.execute(
            "CREATE TABLE IF NOT EXISTS todo_seen "
            "(position BIGINT PRIMARY KEY, pid INTEGER NOT NULL)"
        )

    def seen(tx: Any, event: Recorded[Any]) -> None:
        if delay:
            time.sleep(delay)
        tx.execute(
            f"INSERT INTO todo_seen (position, pid) VALUES ({mark}, {mark})",
            (event.position, os.getpid()),
        )

    @todo_list.on(Created)
    def created(tx: Any, event: Recorded[Created]) -> None:
        seen(tx, event)
        tx.execute(
            f"INSERT INTO todo_list (id, title) VALUES ({mark}, {mark})",
            (event.stream_id, event.event.title),
        )

    @todo_list.on(Renamed)
    def renamed(tx: Any, event: Recorded[Renamed]) -> None:
        seen(tx, event)
        tx.execute(
            f"UPDATE todo_list SET title = {mark}, applied = applied + 1 WHERE id = {mark}",
            (event.event.title, event.stream_id),
        )

    @todo_list.on(Completed)
    def completed(tx: Any, event: Recorded[Completed]) -> None:
        seen(tx, event)
        tx.execute(
            f"UPDATE todo_list SET done = 1, applied = applied + 1 WHERE id = {mark}",
            (event.stream_id,),
        )

    return todo_list


def mark_of(url: str) -> str:
    return "?" if url.startswith("sqlite") else "%s"


def make(
    store: str | None = None, target: str | None = None, *, delay: float = 0.0
) -> ProjectionSet:
    """The app: from the arguments, or from the environment."""
    store = store or os.environ["FABULA_READ_TEST_STORE"]
    target = target or os.environ["FABULA_READ_TEST_TARGET"]
    delay = delay or float(os.environ.get("FABULA_READ_TEST_DELAY", "0"))
    return ProjectionSet(
        store,
        target,
        consumers=[projection(mark=mark_of(target), delay=delay)],
        registry=domain.registry(),
        poll_interval=0.1,
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    ttl = float(os.environ.get("FABULA_READ_TEST_TTL", "1.0"))
    run_worker(make(), lease=LeaseSettings(ttl=ttl, acquire_interval=0.1))


if __name__ == "__main__":
    main()
