"""A copy rebuild converges while writes keep arriving (asyncio only).

The check drives a live runner and a writer task beside the rebuild, which has no
sync twin: the sync variant is ``test_rebuild_into_a_copy_converges_...`` in
tests/unit/read/test_set.py (and tests/integration/read/test_postgres_set.py).
This file is not generated (tools/unasync.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from pathlib import Path
from typing import Any, cast

import pytest

from fabula.read import AsyncProjectionSet, AsyncTarget
from fabula.read.postgres import AsyncPostgresTarget
from fabula.store.postgres import AsyncPostgresStore, drop_schema
from tests.integration.read.kits import schema_of, with_schema
from tests.integration.read.test_postgres_async import _projection

from .domain import Create
from .test_faults_async import AsyncCase, local_case, make_flow, native_failing


async def check_copy_swap_converges_while_the_live_runner_keeps_passing_it(
    case: AsyncCase,
) -> None:
    """Before every swap the live runner passes the copy, and commands keep arriving."""
    for i in range(5):
        await case.dispatch(Create(str(i), f"t{i}"))
    real = case.target
    live = case.runner(case.projection)
    forced: list[int] = []

    class LiveAheadAtEverySwap:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        async def swap_in(self, name: str, scratch: Any, /, *, tables: Any, **kw: Any) -> None:
            position = await case.dispatch(Create(f"f{len(forced)}", "forced"))
            await live.wait_for_position(position, timeout=10)
            forced.append(position)
            await real.swap_in(name, scratch, tables=tables, **kw)

    async def write() -> None:
        for i in itertools.count():
            await case.flow.dispatch(Create(f"w{i}", f"w{i}"))
            await asyncio.sleep(0)

    projections = AsyncProjectionSet(
        case.store,
        cast(AsyncTarget, LiveAheadAtEverySwap()),
        consumers=[case.projection],
        registry=case.flow.registry,
        poll_interval=0.05,
    )
    await live.start()
    writer = asyncio.create_task(write())
    try:
        status = await projections.rebuild(case.projection.name, mode="copy")
    finally:
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        await live.stop()
    assert len(forced) == 1  # the first swap caught the copy up and succeeded
    assert status.position >= forced[0]
    assert (await real.checkpoint(case.projection.name)).position >= forced[0]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_copy_swap_converges_on_memory_and_sqlite(kind: str, tmp_path: Path) -> None:
    async def run() -> None:
        async with local_case(kind, tmp_path) as case:
            await check_copy_swap_converges_while_the_live_runner_keeps_passing_it(case)

    asyncio.run(run())


@pytest.mark.postgres
def test_copy_swap_converges_on_postgres(postgres_schema_url: str) -> None:
    read_url = with_schema(postgres_schema_url, schema_of(postgres_schema_url) + "_read")

    async def run() -> None:
        store = AsyncPostgresStore.from_url(postgres_schema_url)
        target = AsyncPostgresTarget.from_url(read_url)
        try:
            case = AsyncCase(store, target, _projection(), native_failing, make_flow(store))
            await check_copy_swap_converges_while_the_live_runner_keeps_passing_it(case)
        finally:
            await target.close()
            await store.close()

    try:
        asyncio.run(run())
    finally:
        drop_schema(read_url)
