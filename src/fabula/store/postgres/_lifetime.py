"""Stores dropped without ``close()``: release what they hold, with a ``ResourceWarning``.

Rules:
1. Every store registers a finalizer on itself (``weakref.finalize``). It holds the
   store's wake-ups and database, never the store, so running it cannot bring the store
   back. ``close()`` detaches it.
2. A store collected while it holds connections (an open pool, a wake-up thread) releases
   them, then warns with a ``ResourceWarning``, as files and sockets do. One that never
   connected holds nothing and says nothing.
3. Releasing never blocks the collecting thread, which may be any thread, even one about
   to be stopped: a short-lived thread stops the wake-ups and closes a sync pool; an
   asyncio pool is closed on its event loop while that loop runs (once it has stopped,
   the pool's tasks are gone, and its connections close as they are collected).
4. Nothing runs at interpreter exit: the process takes its connections with it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import warnings
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeAlias

from fabula.store.postgres._wakeups import Wakeups

__all__ = ["Loop", "on_drop", "running_loop"]

Loop: TypeAlias = asyncio.AbstractEventLoop
"""An event loop (named here so the generated sync modules need not import asyncio)."""

_closing: set[concurrent.futures.Future[Any]] = set()  # asyncio pools closing on their loop


class _Database(Protocol):
    @property
    def opened(self) -> bool: ...

    @property
    def loop(self) -> Loop | None: ...

    def close(self) -> object: ...


def running_loop() -> Loop | None:
    """The event loop running in this thread, if any (where an asyncio pool lives)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def on_drop(store: object, wakeups: Wakeups, database: _Database) -> weakref.finalize[Any, Any]:
    """Release ``database`` and ``wakeups`` when ``store`` is collected unclosed (rule 1).

    Returns the finalizer, for ``close()`` to ``detach()``.
    """
    finalizer = weakref.finalize(store, _release, repr(store), wakeups, database)
    finalizer.atexit = False  # rule 4
    return finalizer


def _release(what: str, wakeups: Wakeups, database: _Database) -> None:
    """Stop the wake-ups and close the pool without waiting for either (rules 2 and 3)."""
    if not (database.opened or wakeups.started):
        return
    loop = database.loop
    closes: list[Callable[[], object]] = [wakeups.close]
    if not asyncio.iscoroutinefunction(database.close):
        closes.append(database.close)
    elif database.opened and loop is not None and loop.is_running():
        coroutine: Coroutine[Any, Any, None] = database.close()
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        _closing.add(future)
        future.add_done_callback(_closing.discard)
    threading.Thread(
        target=_run_all, args=(closes,), name="fabula-postgres-release", daemon=True
    ).start()
    warnings.warn(
        f"{what} was dropped without close(): its connections are being closed now;"
        " close the store (or use it with 'with' / 'async with')",
        ResourceWarning,
        stacklevel=2,
    )


def _run_all(closes: list[Callable[[], object]]) -> None:
    for close in closes:
        close()
