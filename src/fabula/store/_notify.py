"""Wake-ups for log followers: a writer calls ``notify()``; waiters return early.

A waiter first reads ``generation``, then checks the log, then waits "since" that
generation: a notification that arrives between the check and the wait is never lost.
Notifications are hints only; followers always re-read the log (and poll on timeout).
One notifier serves threads (``wait``) and asyncio tasks (``async_wait``) alike. An
asyncio waiter that times out or is cancelled takes its future back out: an idle
follower waits again and again, and each wait must leave nothing behind.

An asyncio wait awaits its future itself, with a timer that settles it on timeout, and
never through ``asyncio.wait_for``: on Python 3.11 that returns the result of a future
settled in the same loop turn as a cancellation, and the cancellation is lost (the
caller, ``wait_for_events``, then waited out its whole timeout). A task awaiting a
future directly always receives its cancellation.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["Notifier"]


class Notifier:
    """Counts appends and wakes whoever waits for the next one (thread-safe)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._futures: dict[asyncio.Future[bool], asyncio.AbstractEventLoop] = {}

    @property
    def generation(self) -> int:
        """Counts notifications so far."""
        return self._generation

    @property
    def waiters(self) -> int:
        """How many asyncio tasks wait now (threads waiting in ``wait`` are not counted)."""
        with self._cond:
            return len(self._futures)

    def notify(self) -> None:
        """Wake every waiter (callable from any thread)."""
        with self._cond:
            self._generation += 1
            self._cond.notify_all()
            futures, self._futures = self._futures, {}
        for future, loop in futures.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_wake, future)

    def wait(self, since: int, timeout: float) -> bool:
        """Block until a notification after generation ``since``; return whether one came."""
        with self._cond:
            return self._cond.wait_for(lambda: self._generation != since, timeout)

    async def async_wait(self, since: int, timeout: float) -> bool:
        """Like ``wait``, for asyncio tasks."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        with self._cond:
            if self._generation != since:
                return True
            self._futures[future] = loop
        timer = loop.call_later(timeout, _expire, future)
        try:
            return await future
        finally:
            timer.cancel()
            with self._cond:
                self._futures.pop(future, None)


def _wake(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(True)


def _expire(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)
