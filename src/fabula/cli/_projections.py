"""``fabula projections ...``: run, watch, rebuild and repair an app's projections.

Every command takes ``--app package.module:name``, a ``fabula.read.ProjectionSet`` (or a
function returning one) that names the store, the read-model target and the projections.
``status`` and ``parked`` only look: they open the store and target read-only
(``ProjectionSet.as_read_only``), so a wrong URL is an error, never a new database.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from fabula._apps import load_app
from fabula.cli._status_table import status_table
from fabula.read import (
    HandlerError,
    LeaseSettings,
    PositionTimeout,
    ProjectionFailed,
    ProjectionSet,
    run_worker,
    run_workers,
)

__all__ = ["register", "slow_appends"]

_BAR = 30
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SLOW_APPEND = 1.0  # seconds: a running append older than this is named by ``status``


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``projections`` command and its subcommands."""
    group = commands.add_parser(
        "projections",
        help="run, watch, rebuild and repair projections",
        description="Run, watch, rebuild and repair the projections of an app, named by "
        "--app package.module:name (a fabula.read.ProjectionSet).",
    )
    actions = group.add_subparsers(title="subcommands", metavar="SUBCOMMAND", required=True)

    status = _add(
        actions,
        "status",
        "print position, head, lag, state (idle, catching_up, live, standby, retrying, "
        "running, stopped, failed), parked count, last commit and lease owner; below the "
        "table, current errors and copy rebuilds (running or left behind)",
    )
    status.add_argument("names", nargs="*", help="only these projections (default: all)")
    status.add_argument(
        "--watch", type=float, metavar="SECONDS", help="print again every SECONDS until Ctrl-C"
    )
    status.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="first wait (at most SECONDS) until the projections have passed every event "
        "committed before the call; exit 1 if they did not, or one is stopped on a parked event",
    )
    status.set_defaults(run=_status)

    run = _add(
        actions,
        "run",
        "run projections as a worker (leases share them among workers); it logs starts, "
        "lease takeovers and losses to stderr, restarts a projection stopped on a parked event "
        "once the event is retried or discarded, and one that failed otherwise with backoff",
    )
    run.add_argument("names", nargs="*", help="only these projections (default: all)")
    run.add_argument("--processes", type=int, default=1, help="worker processes to start")
    run.add_argument(
        "--lease-ttl",
        type=float,
        default=5.0,
        help="seconds before another worker takes over a dead one's projections",
    )
    run.set_defaults(run=_run)

    rebuild = _add(actions, "rebuild", "replay a projection from the start, with a progress bar")
    rebuild.add_argument("name", help="the projection to rebuild")
    rebuild.add_argument(
        "--copy",
        action="store_true",
        help="build into a fresh copy while the old read model serves, then swap it in "
        "(never behind the live read model); status shows a running copy rebuild, or the "
        "copy a killed one left behind, which the next --copy rebuild starts afresh",
    )
    rebuild.set_defaults(run=_rebuild)

    parked = _add(actions, "parked", "list parked events (dead letters)")
    parked.add_argument("name", nargs="?", help="only this projection")
    parked.add_argument("--details", action="store_true", help="print each error's traceback")
    parked.set_defaults(run=_parked)

    retry = _add(actions, "retry", "apply a parked event again (removes it on success)")
    retry.add_argument("name", help="the projection")
    retry.add_argument("position", type=int, help="the parked event's global position")
    retry.set_defaults(run=_retry)

    discard = _add(actions, "discard", "give up on a parked event without applying it")
    discard.add_argument("name", help="the projection")
    discard.add_argument("position", type=int, help="the parked event's global position")
    discard.set_defaults(run=_discard)


def _add(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    parser.add_argument(
        "--app", required=True, help="the app's projections, as package.module:name"
    )
    return parser


def _status(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet).as_read_only()
    try:
        if args.wait is not None:
            try:
                projections.wait_caught_up(args.names or None, timeout=args.wait)
            except (PositionTimeout, ProjectionFailed) as exc:
                print(f"fabula: {exc}", file=sys.stderr)
                print(status_table(projections.status(args.names or None)), flush=True)
                return 1
        while True:
            print(status_table(projections.status(args.names or None)), flush=True)
            for line in slow_appends(projections.store):
                print(line, flush=True)
            if args.watch is None:
                return 0
            time.sleep(args.watch)
            print()
    finally:
        projections.close()


def slow_appends(store: object, *, longer_than: float = _SLOW_APPEND) -> list[str]:
    """Name the store's appends that have run longer than ``longer_than`` seconds.

    Such an append holds every follower of the log back until it ends. Only stores
    with ``running_appends()`` (PostgreSQL) can tell; for the others this is empty.
    """
    running_appends = getattr(store, "running_appends", None)
    if running_appends is None:
        return []
    return [
        f"log held back by an append running for {append.seconds:.1f}s:"
        f" pid {append.pid}, application {append.application_name or '-'!r},"
        f" client {append.client_address or 'local socket'},"
        f" since {append.started_at:%Y-%m-%d %H:%M:%S} UTC"
        for append in running_appends()
        if append.seconds >= longer_than
    ]


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT)  # no-op if configured
    names = args.names or None
    if args.processes > 1:
        run_workers(args.app, processes=args.processes, names=names, ttl=args.lease_ttl)
        return 0
    projections = load_app(args.app, ProjectionSet)
    try:
        run_worker(projections, names=names, lease=LeaseSettings(ttl=args.lease_ttl))
    finally:
        projections.close()
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet)
    started = time.monotonic()
    first: list[int] = []

    def progress(position: int, head: int) -> None:
        if not first:
            first.append(position)
        span = max(1, head - first[0])
        share = min(1.0, max(0.0, (position - first[0]) / span)) if head > first[0] else 1.0
        filled = round(share * _BAR)
        bar = "#" * filled + "." * (_BAR - filled)
        print(f"\r{args.name} [{bar}] {share:4.0%} position {position}", end="", file=sys.stderr)

    try:
        status = projections.rebuild(
            args.name, mode="copy" if args.copy else "in_place", progress=progress
        )
    finally:
        projections.close()
    print(file=sys.stderr)
    print(f"rebuilt {args.name} to position {status.position} in {time.monotonic() - started:.1f}s")
    print(status_table([status]))
    return 0


def _parked(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet).as_read_only()
    try:
        letters = projections.parked(args.name)
    finally:
        projections.close()
    if not letters:
        print("no parked events")
        return 0
    for letter in letters:
        when = letter.parked_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{letter.name}  #{letter.position}  {letter.stream_id}@{letter.version}  "
            f"{letter.type}  attempts={letter.attempts}  {when}\n    {letter.error}"
        )
        if args.details:
            print("    " + letter.details.rstrip().replace("\n", "\n    "))
    return 0


def _retry(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet)
    try:
        projections.retry_parked(args.name, args.position)
    except HandlerError as exc:
        cause = exc.__cause__
        print(f"fabula: still failing: {type(cause).__name__}: {cause}", file=sys.stderr)
        return 1
    finally:
        projections.close()
    print(f"applied {args.name} #{args.position}; it is no longer parked")
    return 0


def _discard(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet)
    try:
        projections.discard_parked(args.name, args.position)
    finally:
        projections.close()
    print(f"discarded {args.name} #{args.position} (not applied)")
    return 0
