"""Writers that run beside a check: threads for sync stores, tasks for asyncio stores.

A check that waits for events (``wait_for_events``, a live subscription) needs someone
else to append them while it waits. ``Background`` runs that someone in a thread and
``AsyncBackground`` in a task on the running loop; leaving the block waits for them
and re-raises the first error they hit.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

__all__ = ["AsyncBackground", "Background"]

_JOIN_TIMEOUT = 10.0


class Background:
    """Runs functions in threads; joins them on exit and re-raises their first error."""

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []

    def start(self, function: Callable[[], object], /, *, delay: float = 0.0) -> None:
        """Call ``function()`` in a new thread after ``delay`` seconds."""

        def run() -> None:
            try:
                time.sleep(delay)
                function()
            except BaseException as exc:  # handed over to the check's thread on exit
                self._errors.append(exc)

        thread = threading.Thread(target=run, name="fabula-conformance-writer", daemon=True)
        thread.start()
        self._threads.append(thread)

    def __enter__(self) -> Background:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        deadline = time.monotonic() + _JOIN_TIMEOUT
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        if exc is not None:
            return
        if any(thread.is_alive() for thread in self._threads):
            msg = f"a background writer did not finish within {_JOIN_TIMEOUT} s"
            raise AssertionError(msg)
        if self._errors:
            raise self._errors[0]


class AsyncBackground:
    """Runs coroutine functions as tasks; awaits them on exit and re-raises their first error."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, function: Callable[[], Awaitable[object]], /, *, delay: float = 0.0) -> None:
        """Await ``function()`` in a new task after ``delay`` seconds."""

        async def run() -> None:
            await asyncio.sleep(delay)
            await function()

        self._tasks.append(asyncio.get_running_loop().create_task(run()))

    async def __aenter__(self) -> AsyncBackground:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._tasks:
            return
        if exc is not None:
            for task in self._tasks:
                task.cancel()
        _, pending = await asyncio.wait(self._tasks, timeout=_JOIN_TIMEOUT)
        for task in pending:
            task.cancel()
        if exc is not None:
            return
        if pending:
            msg = f"a background writer did not finish within {_JOIN_TIMEOUT} s"
            raise AssertionError(msg)
        for task in self._tasks:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error
