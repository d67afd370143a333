"""Copy rebuilds while a live runner follows a steady writer: no reader sees time go back.

Issue 11, item 9: ``rebuild --copy`` swapped in the copy's checkpoint even when the live
worker had passed it (PostgreSQL, 4 runs of 5), so readers saw up to 21 events vanish.
Here a target hook forces that interleaving before every swap, with no sleeps: it
dispatches events and waits until the live runner has applied them. A watcher thread
reads the checkpoint throughout and records every drop; there must be none, and the
read model must equal a replay at the end.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from fabula.read import ProjectionRunner, ProjectionSet, Target
from fabula.read.postgres import PostgresTarget
from fabula.store.postgres import PostgresStore, drop_schema
from tests.integration.read.kits import postgres_rows, schema_of, with_schema
from tests.unit.read import domain
from tests.unit.read.domain import Create, Rename
from tests.unit.read.kits import Kit, make_kit

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

REBUILDS = 8


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def swap_kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    if request.param == "sqlite":
        made = make_kit("sqlite", tmp_path)
        yield made
        made.target.close()
        made.store.close()
        return
    url = request.getfixturevalue("postgres_schema_url")
    read_url = with_schema(url, schema_of(url) + "_read")
    counter = itertools.count()
    replays: list[str] = []

    def fresh() -> Target:
        replays.append(with_schema(url, f"{schema_of(url)}_replay{next(counter)}"))
        return PostgresTarget.from_url(replays[-1])

    made = Kit(
        "postgres",
        PostgresStore.from_url(url),
        PostgresTarget.from_url(read_url),
        fresh,
        lambda name="todo_list": domain.todo_sql(name, mark="%s"),
        postgres_rows,
    )
    yield made
    made.target.close()
    made.store.close()
    for schema_url in [read_url, *replays]:
        drop_schema(schema_url)


class _LiveRunsAhead:
    """Before each rebuild's first swap, the live runner applies events the copy lacks."""

    def __init__(self, kit: Kit, live: ProjectionRunner) -> None:
        self._kit = kit
        self._live = live
        self.forced: list[int] = []
        self._scratches: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kit.target, name)

    def swap_in(self, name: str, scratch: Any, /, *, tables: Any, **kw: Any) -> None:
        if any(
            seen is scratch for seen in self._scratches
        ):  # a retried swap: the steady writer races alone
            self._kit.target.swap_in(name, scratch, tables=tables, **kw)
            return
        self._scratches.append(scratch)  # kept alive: ids of dead ones are reused
        position = 0
        for i in range(3):
            result = self._kit.flow.dispatch(Rename(str(i), f"forced{len(self.forced)}"))
            position = result.position or 0
        self._live.wait_for_position(position, timeout=30)
        self.forced.append(position)
        self._kit.target.swap_in(name, scratch, tables=tables, **kw)


def test_copy_rebuilds_never_move_the_checkpoint_back(swap_kit: Kit) -> None:
    kit = swap_kit
    for i in range(50):
        kit.flow.dispatch(Create(str(i), f"t{i}"))
    live = kit.runner()
    live.start()
    stop = threading.Event()
    drops: list[tuple[int, int]] = []

    def write() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            kit.flow.dispatch(Rename(str(i % 50), f"w{i}"))

    def watch() -> None:
        seen = 0
        while not stop.is_set():
            now = kit.target.checkpoint("todo_list").position
            if now < seen:
                drops.append((seen, now))
            seen = max(seen, now)

    threads = [threading.Thread(target=write), threading.Thread(target=watch)]
    for thread in threads:
        thread.start()
    hooked = _LiveRunsAhead(kit, live)
    projections = ProjectionSet(
        kit.store, cast(Target, hooked), consumers=[kit.projection], registry=kit.registry
    )
    try:
        try:
            for _ in range(REBUILDS):
                projections.rebuild("todo_list", mode="copy")
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        live.wait_for_position(kit.store.head(), timeout=30)
    finally:
        live.stop()
    assert len(hooked.forced) == REBUILDS
    assert drops == []
    assert kit.rows() == kit.replay()
    print(f"{kit.kind}: {REBUILDS} swaps, each forced behind the live runner first; no drop")
