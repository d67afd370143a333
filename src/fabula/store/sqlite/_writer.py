"""The writer thread of an ``AsyncConnection``: runs calls one by one, in the order queued.

Rules:
1. One thread, started by the first call, takes calls from a queue in order. ``stop(last)``
   queues ``last`` behind them: every call queued before it still runs, then ``last``,
   then the thread ends; ``run`` after ``stop`` raises ``Stopped``.
2. ``run`` awaits a plain asyncio future that the thread settles through
   ``call_soon_threadsafe`` (half the cost of ``asyncio.wrap_future`` of a
   ``concurrent.futures.Future``: ~50 against ~85 us a round trip here). A call whose future
   was cancelled before the thread takes it up never runs; once running, it runs to its end
   and its result is dropped. If the loop is closed by then, the result is dropped too.
3. A thread that is gone while not stopped (the process forked: only the forking thread
   lives on in the child) is replaced, with a fresh queue, at the next call: calls queued
   in the parent never run in the child.
4. The thread holds no reference to its owner, only to its queue and calls; a
   ``WriterThread`` dropped without ``stop`` ends its thread when collected. It is a
   daemon thread, so an unclosed store never holds up the interpreter's exit; a write
   still running then (its task cancelled, or never awaited) is cut off, and SQLite rolls
   its transaction back whole.
5. Appends queued as ``Job``s (``run_job``) are grouped: the thread takes every job queued
   behind the first one, up to the first plain call, and hands the ones still wanted to
   the ``group`` runner at once, which commits them in one transaction (``_group``) and
   settles each; then each job's future gets its own outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from queue import Empty, SimpleQueue
from typing import Any, TypeAlias, TypeVar

from fabula.store.sqlite._group import Job

__all__ = ["Stopped", "WriterThread"]

T = TypeVar("T")

_Call: TypeAlias = tuple[
    asyncio.AbstractEventLoop, "asyncio.Future[Any]", "Callable[[], object] | Job"
]
_Group: TypeAlias = Callable[[list[Job]], None]
"""Runs jobs as one group and settles each (``Connection.run_jobs``)."""
_Last: TypeAlias = Callable[[], None]
"""The thread's last job: it runs it, then ends."""


class Stopped(Exception):
    """``run`` after ``stop``."""


class WriterThread:
    """Runs calls in one thread, in the order queued (thread-safe)."""

    def __init__(self, name: str, group: _Group) -> None:
        self._name = name
        self._group = group
        self._lock = threading.Lock()
        self._queue: SimpleQueue[_Call | _Last] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped: Future[None] | None = None

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` on the thread, after the calls queued before it; return its result.

        Raises:
            Stopped: ``stop`` was called.
        """
        found: T = await self._queued(call)
        return found

    async def run_job(self, job: Job) -> Any:
        """Run an append ``job`` on the thread, in a group with the jobs queued behind it.

        Raises:
            Stopped: ``stop`` was called.
        """
        return await self._queued(job)

    async def _queued(self, call: Callable[[], object] | Job) -> Any:
        """Queue ``call`` for the thread and await what it settles."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            if self._stopped is not None:
                raise Stopped
            self._started().put((loop, future, call))
        return await future

    def stop(self, last: Callable[[], None]) -> Future[None]:
        """Run ``last`` after the calls queued so far, then end the thread.

        Returns a future settled once ``last`` ran; a later ``stop`` returns the same
        future and its ``last`` is not run.
        """
        with self._lock:
            if self._stopped is None:
                self._stopped = done = Future[None]()
                self._started().put(lambda: _finish(last, done))
            return self._stopped

    def _started(self) -> SimpleQueue[_Call | _Last]:
        """The queue of a live thread (started now if there is none, rule 3)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            return self._queue
        if thread is not None:  # forked: the parent's queue is not ours to run
            self._queue = SimpleQueue()
        queue = self._queue
        self._thread = threading.Thread(
            target=_serve, args=(queue, self._group), name=self._name, daemon=True
        )
        self._thread.start()
        weakref.finalize(self, queue.put, _nothing)
        return queue


def _serve(queue: SimpleQueue[_Call | _Last], group: _Group) -> None:
    item = queue.get()
    while isinstance(item, tuple):
        following: _Call | _Last | None = None
        loop, future, call = item
        if isinstance(call, Job):
            appends, following = _appends_from(item, queue)
            _run_jobs(appends, group)
            del appends
        else:
            _run_call(loop, future, call)
        del item, loop, future, call  # nothing of a settled call stays referenced while idle
        item = following if following is not None else queue.get()
        del following
    item()


def _appends_from(
    first: _Call, queue: SimpleQueue[_Call | _Last]
) -> tuple[list[_Call], _Call | _Last | None]:
    """``first`` and every append queued behind it (rule 5), and the item that ended them."""
    appends = [first]
    while True:
        try:
            queued = queue.get_nowait()
        except Empty:
            return appends, None
        if not isinstance(queued, tuple) or not isinstance(queued[2], Job):
            return appends, queued
        appends.append(queued)


def _run_call(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], call: Callable[[], object]
) -> None:
    if future.cancelled():  # read across threads: one attribute
        return
    try:
        result = call()
    except BaseException as exc:
        _settle(loop, future, _fail, exc)
    else:
        _settle(loop, future, _succeed, result)


def _run_jobs(appends: list[_Call], group: _Group) -> None:
    """Run the appends still wanted (their task not cancelled) as one group; settle each."""
    wanted = [(loop, future, job) for loop, future, job in appends if not future.cancelled()]
    jobs = [job for _, _, job in wanted if isinstance(job, Job)]
    if jobs:
        with contextlib.suppress(BaseException):  # an interrupt: _group failed every job with it
            group(jobs)
    for loop, future, job in wanted:
        if isinstance(job, Job):
            if job.error is not None:
                _settle(loop, future, _fail, job.error)
            else:
                _settle(loop, future, _succeed, job.value)


def _finish(last: Callable[[], None], done: Future[None]) -> None:
    try:
        last()
    except BaseException as exc:
        done.set_exception(exc)
    else:
        done.set_result(None)


def _nothing() -> None:
    """The last job of a thread whose owner was collected."""


def _settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    how: Callable[[asyncio.Future[Any], Any], None],
    value: object,
) -> None:
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody awaits the result
        loop.call_soon_threadsafe(how, future, value)


def _succeed(future: asyncio.Future[Any], result: object) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
