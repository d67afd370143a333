"""Close an asyncio connection pool when its event loop cancels every task, so exits never hang.

Why: psycopg_pool's asyncio workers catch ``CancelledError`` while they connect (to keep
the pool consistent) and then wait on their queue again, for a message only
``pool.close()`` sends. When ``asyncio.run`` ends with a pool still open (an exception
escaped, a task was cancelled, nobody closed the store), it cancels every task and
waits for them all: a worker that swallowed its cancellation never ends, and neither
does ``asyncio.run``.

It also keeps a cancellation psycopg_pool swallowed: a task cancelled while it gets or
returns a pooled connection can see its statement return normally, cancel lost, and wait
on (an ``AsyncPostgresStore.wait_for_events`` then ran to its timeout).

Rules:
1. ``arm()`` (in the loop, once the pool is open) starts a guard task that only waits.
   Cancelled, as ``asyncio.run`` cancels every task on its way out, it closes the
   pool: the workers receive their stop message and end, cancelled or not.
2. ``disarm()`` (when the owner closes the pool itself) ends the guard without closing
   anything: the owner does, once.
3. ``PoolGuard`` is the same API for sync pools, whose worker threads never hold up an
   exit: it does nothing.
4. ``async with AsyncCancelCheck():`` around pooled work raises ``CancelledError`` on the way
   out if the task was cancelled meanwhile and the block ended normally all the same
   (``Task.cancelling()`` went up). ``CancelCheck``, its sync twin, does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Any

from psycopg_pool import AsyncConnectionPool, ConnectionPool

__all__ = ["AsyncCancelCheck", "AsyncPoolGuard", "CancelCheck", "PoolGuard"]


class AsyncPoolGuard:
    """Closes ``pool`` if its event loop cancels every task before its owner closed it."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool
        self._task: asyncio.Task[None] | None = None
        self._disarmed = False

    def arm(self) -> None:
        """Start guarding (rule 1); later calls do nothing."""
        if self._task is None and not self._disarmed:
            self._task = asyncio.get_running_loop().create_task(
                self._guard(), name=f"{self._pool.name}-guard"
            )

    def disarm(self) -> None:
        """Stop guarding: the owner closes the pool (rule 2)."""
        self._disarmed = True
        if self._task is not None and not self._task.done():
            with contextlib.suppress(RuntimeError):  # its loop is closed: nothing to end
                self._task.cancel()

    async def _guard(self) -> None:
        try:
            await asyncio.get_running_loop().create_future()
        except asyncio.CancelledError:
            if not self._disarmed:
                await self._pool.close()
            raise


class PoolGuard:
    """The sync twin of ``AsyncPoolGuard``: sync pools need no guard (rule 3)."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self._pool = pool

    def arm(self) -> None:
        """Do nothing."""

    def disarm(self) -> None:
        """Do nothing."""


class AsyncCancelCheck:
    """Raises ``CancelledError`` after a block that swallowed its task's cancellation (rule 4)."""

    def __init__(self) -> None:
        self._task: asyncio.Task[Any] | None = None
        self._before = 0

    async def __aenter__(self) -> None:
        self._task = asyncio.current_task()
        self._before = self._task.cancelling() if self._task is not None else 0

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._task is not None and self._task.cancelling() > self._before:
            raise asyncio.CancelledError


class CancelCheck:
    """The sync twin of ``AsyncCancelCheck``: threads are not cancelled (rule 4)."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None
