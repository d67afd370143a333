"""The writer thread of an ``AsyncConnection``: runs submitted calls one by one, in order.

Rules:
1. One thread, started on the first ``submit``, takes calls from a queue in the order they
   were submitted; ``stop`` queues an end mark behind them, so every call submitted before
   it still runs, and ``submit`` after it raises ``Stopped``.
2. A call is a ``concurrent.futures.Future``'s work: cancelling that future before the thread
   takes it up means the call never runs; once running, it runs to its end.
3. A thread that is gone while not stopped (the process forked: only the forking thread
   lives on in the child) is replaced, with a fresh queue, at the next ``submit``: calls
   queued in the parent never run twice.
4. The thread holds no reference to the connection, only to its queue and calls; a
   connection dropped without ``close`` stops its thread when collected.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from queue import SimpleQueue
from typing import TypeVar

__all__ = ["Stopped", "WriterThread"]

T = TypeVar("T")

_Job = tuple[Future[object], Callable[[], object]] | None


class Stopped(Exception):
    """``submit`` after ``stop``."""


class WriterThread:
    """Runs calls in one thread, in submission order (thread-safe)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._queue: SimpleQueue[_Job] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def submit(self, call: Callable[[], T]) -> Future[T]:
        """Queue ``call``; its future settles with its result or exception.

        Raises:
            Stopped: ``stop`` was called.
        """
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                raise Stopped
            thread = self._thread
            if thread is None or not thread.is_alive():
                self._start()
            self._queue.put((future, call))  # type: ignore[arg-type]
        return future

    def stop(self) -> None:
        """Let the calls queued so far run, then end the thread; idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            if self._thread is not None:
                self._queue.put(None)

    def _start(self) -> None:
        if self._thread is not None:  # forked: the parent's queue is not ours to run
            self._queue = SimpleQueue()
        queue = self._queue
        self._thread = threading.Thread(target=_serve, args=(queue,), name=self._name, daemon=True)
        self._thread.start()
        weakref.finalize(self, queue.put, None)


def _serve(queue: SimpleQueue[_Job]) -> None:
    while (job := queue.get()) is not None:
        future, call = job
        del job
        if future.set_running_or_notify_cancel():
            try:
                result = call()
            except BaseException as exc:  # noqa: BLE001 (handed to the awaiting task)
                future.set_exception(exc)
            else:
                future.set_result(result)
        del future, call
