"""Run a copy rebuild's catch-up from inside a SQLite swap, which runs in a worker thread.

``_ops.swap_in`` is a plain function on the writer connection; it calls ``catch_up``
while it holds the live file's write lock. The sync target calls the set's function
directly; the asyncio target runs the set's coroutine on its event loop and waits for it
in the worker thread (the copy writes to its own file, through its own connections).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable

__all__ = ["AsyncCatchUpBridge", "CatchUpBridge"]

_WAIT = 30.0
"""Seconds the swap waits for the copy at most (then it finds the copy behind: conflict)."""


class CatchUpBridge:
    """Calls the sync set's ``catch_up`` (if any) from the swap."""

    def __init__(self, catch_up: Callable[[int], None] | None) -> None:
        self._catch_up = catch_up

    def __call__(self, position: int) -> None:
        if self._catch_up is not None:
            self._catch_up(position)


class AsyncCatchUpBridge:
    """Runs the asyncio set's ``catch_up`` (if any) on its loop, from the swap's thread."""

    def __init__(self, catch_up: Callable[[int], Awaitable[None]] | None) -> None:
        self._catch_up = catch_up
        self._loop = asyncio.get_running_loop()

    def __call__(self, position: int) -> None:
        if self._catch_up is None:
            return
        future = asyncio.run_coroutine_threadsafe(_run(self._catch_up, position), self._loop)
        try:
            future.result(_WAIT)
        except concurrent.futures.TimeoutError:
            future.cancel()  # the swap then finds the copy behind and changes nothing


async def _run(catch_up: Callable[[int], Awaitable[None]], position: int) -> None:
    await catch_up(position)
