"""Worker processes: run an app's projections with leases until told to stop.

Several workers (``fabula projections run``, on one host or many) share the work through
the target's leases: each projection runs in exactly one worker at a time, and when a
worker dies another takes its projections over once their leases expire (``ttl``).

``run_worker`` runs in the calling process (one thread per projection) until SIGTERM or
SIGINT; ``run_workers`` starts several such processes and restarts any that dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
from collections.abc import Sequence
from types import FrameType

from fabula._apps import load_app
from fabula._errors import StoreError
from fabula.read._leases import LeaseSettings
from fabula.read.operations._set import ProjectionSet

__all__ = ["run_worker", "run_workers"]

logger = logging.getLogger("fabula.read.workers")


def run_worker(
    projections: ProjectionSet,
    /,
    *,
    names: Sequence[str] | None = None,
    lease: LeaseSettings | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run ``projections`` (or only ``names``) with leases until ``stop`` is set.

    In the main thread, SIGTERM and SIGINT set ``stop``. On the way out every runner
    stops and releases its leases, so other workers take over at once.
    """
    stop = stop if stop is not None else threading.Event()
    lease = lease if lease is not None else LeaseSettings()
    if threading.current_thread() is threading.main_thread():

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    logger.info("worker %s starts: %s", lease.owner, ", ".join(names or projections.names))
    projections.start(names, lease=lease)
    revive = _Revive(projections, lease)
    try:
        while not stop.wait(0.5):
            for name in names or projections.names:
                try:
                    revive.check(name)
                except StoreError as exc:  # the runners back off on their own; so does this
                    logger.warning("worker %s cannot check %r: %s", lease.owner, name, exc)
    finally:
        projections.stop()
    logger.info("worker %s stopped", lease.owner)


class _Revive:
    """Restarts the runners of a worker that failed (rule: a worker never keeps a dead one).

    A runner stopped on a parked event (``on_park="stop"``) restarts as soon as the event
    is retried or discarded (nothing is parked ahead of the checkpoint, which moved past
    where the runner stopped); one that failed otherwise (a bug, a broken setup) restarts
    after a backoff that doubles up to a minute.
    """

    def __init__(self, projections: ProjectionSet, lease: LeaseSettings) -> None:
        self._projections = projections
        self._lease = lease
        self._failures: dict[str, int] = {}
        self._not_before: dict[str, float] = {}
        self._parked: set[str] = set()

    def check(self, name: str) -> None:
        runner = self._projections.running(name)
        if runner is None:
            return
        if runner.state == "live":
            self._failures.pop(name, None)
        if runner.state != "failed":
            return
        checkpoint = self._projections.target.checkpoint(name).position
        ahead = [p.position for p in self._projections.parked(name) if p.position > checkpoint]
        if ahead:  # stopped on a parked event: wait until it is retried or discarded
            if name not in self._parked:
                self._parked.add(name)
                logger.warning(
                    "projection %r waits until its event at position %d is retried or "
                    "discarded (fabula projections retry %s %d)",
                    name,
                    ahead[0],
                    name,
                    ahead[0],
                )
            return
        if name in self._parked or checkpoint > runner.position:
            self._parked.discard(name)
            logger.info("projection %r resumes: its parked event was resolved", name)
        else:
            now = time.monotonic()
            if name not in self._not_before:
                failures = self._failures[name] = self._failures.get(name, 0) + 1
                delay = min(60.0, 2.0 ** (failures - 1))
                self._not_before[name] = now + delay
                logger.warning("projection %r failed; restarting in %.0fs", name, delay)
            if now < self._not_before[name]:
                return
            del self._not_before[name]
        self._projections.start([name], lease=self._lease)


def _child(app: str, names: Sequence[str] | None, ttl: float) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_worker(load_app(app, ProjectionSet), names=names, lease=LeaseSettings(ttl=ttl))


def run_workers(
    app: str,
    /,
    *,
    processes: int = 1,
    names: Sequence[str] | None = None,
    ttl: float = 5.0,
    stop: threading.Event | None = None,
) -> None:
    """Run ``processes`` worker processes for the app ``package.module:name`` until stopped.

    A worker that dies is restarted after a second. SIGTERM and SIGINT (or ``stop``)
    stop every worker gracefully.
    """
    load_app(app, ProjectionSet)  # fail here, once, rather than in every child
    stop = stop if stop is not None else threading.Event()
    if threading.current_thread() is threading.main_thread():

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    context = multiprocessing.get_context("spawn")
    workers: list[multiprocessing.process.BaseProcess] = []

    def spawn() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_child, args=(app, names, ttl), daemon=False)
        process.start()
        return process

    workers = [spawn() for _ in range(max(1, processes))]
    try:
        while not stop.wait(1.0):
            for index, process in enumerate(workers):
                if not process.is_alive():
                    logger.warning(
                        "worker %s exited (%s); restarting", process.pid, process.exitcode
                    )
                    workers[index] = spawn()
    finally:
        for process in workers:
            process.terminate()  # SIGTERM: the worker stops its runners and releases leases
        deadline = time.monotonic() + 10
        for process in workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
