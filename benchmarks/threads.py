"""Start N worker threads together (a barrier) and time them until the last one finishes."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from benchmarks.harness import Ctx

__all__ = ["run_threads"]

Work = Callable[[], None]


def run_threads(ctx: Ctx, count: int, prepare: Callable[[int], Work]) -> None:
    """Run ``prepare(i)`` in thread ``i`` (untimed: open connections there), then time the work.

    ``prepare`` returns the work; every thread starts it when all are ready, and the
    timed phase ends when the last one returns. A worker's exception is re-raised here.
    """
    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def body(index: int) -> None:
        try:
            work = prepare(index)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
            return
        try:
            barrier.wait()
            work()
        except threading.BrokenBarrierError:
            return
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=body, args=(i,), name=f"writer-{i}") for i in range(count)]
    for worker in workers:
        worker.start()
    try:
        with ctx.timer():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            for worker in workers:
                worker.join()
    finally:
        for worker in workers:
            worker.join()
    if errors:
        raise errors[0]
