"""Run a loop in the background and ask it to stop: an asyncio task, or a thread.

The two classes have the same methods, so the runners are written once (for asyncio)
and the sync runners are generated from them: ``AsyncBackground`` becomes ``Background``.
A stop request is a flag the loop checks, and it cuts short any ``sleep`` under way.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["AsyncBackground", "Background"]


class AsyncBackground:
    """One asyncio task running a loop, and the flag that asks it to stop."""

    def __init__(self) -> None:
        self._stopping = False
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested."""
        return self._stopping

    @property
    def running(self) -> bool:
        """Whether the background task is running."""
        return self._task is not None and not self._task.done()

    def reset(self) -> None:
        """Forget an earlier stop request, before running again."""
        self._stopping = False
        if self._wake is not None:
            self._wake.clear()

    def start(self, loop: Callable[[], Coroutine[Any, Any, None]], /, *, name: str) -> None:
        """Run ``loop()`` as a task of the running event loop, unless one runs already."""
        if self.running:
            return
        self.reset()
        self._task = asyncio.get_running_loop().create_task(loop(), name=name)

    def request_stop(self) -> None:
        """Ask the loop to stop; wake it if it sleeps."""
        self._stopping = True
        if self._wake is not None:
            self._wake.set()

    async def sleep(self, seconds: float, /) -> None:
        """Sleep ``seconds``, or less if a stop is requested meanwhile."""
        if self._stopping or seconds <= 0:
            return
        if self._wake is None:
            self._wake = asyncio.Event()
        # Not ``asyncio.wait_for``: on Python 3.11 it loses a cancellation that comes in
        # the loop turn the event is set (``fabula.store._notify``).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def join(self) -> None:
        """Wait for the task to end (its failure is the loop's to report, not raised here).

        Cancelling the wait does not cancel the task (``asyncio.wait``, not ``gather``).
        """
        if self._task is not None and not self._task.done():
            await asyncio.wait((self._task,))


class Background:
    """One daemon thread running a loop, and the flag that asks it to stop."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested."""
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        """Whether the background thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def reset(self) -> None:
        """Forget an earlier stop request, before running again."""
        self._stop.clear()

    def start(self, loop: Callable[[], None], /, *, name: str) -> None:
        """Run ``loop()`` in a new daemon thread, unless one runs already."""
        if self.running:
            return
        self.reset()
        self._thread = threading.Thread(target=loop, name=name, daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to stop; wake it if it sleeps."""
        self._stop.set()

    def sleep(self, seconds: float, /) -> None:
        """Sleep ``seconds``, or less if a stop is requested meanwhile."""
        if seconds > 0:
            self._stop.wait(seconds)

    def join(self) -> None:
        """Wait for the thread to end (unless called from that very thread)."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
