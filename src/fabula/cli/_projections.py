"""``fabula projections ...``: run, watch, rebuild and repair an app's projections.

Every command takes ``--app package.module:name``, a ``fabula.read.ProjectionSet`` (or a
function returning one) that names the store, the read-model target and the projections.
``status`` and ``parked`` only look: they open the store and target read-only
(``ProjectionSet.as_read_only``), so a wrong URL is an error, never a new database.
``status`` and ``parked`` print JSON with ``--json``; ``rebuild`` draws its progress
(events counted, rate, ETA) on a terminal only (``_progress``).
"""

from __future__ import annotations

import argparse
import sys
import time

from fabula._apps import load_app
from fabula.cli._event_count import EventCount
from fabula.cli._options import add_app, add_json, print_json
from fabula.cli._progress import Progress
from fabula.cli._shapes import letter_shape, status_shape
from fabula.cli._status_table import status_table
from fabula.read import (
    HandlerError,
    LeaseSettings,
    PositionTimeout,
    ProjectionFailed,
    ProjectionSet,
    ProjectionStatus,
    run_worker,
    run_workers,
)

__all__ = ["TEXT_FORMAT", "register", "run_command", "slow_appends"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
"""How ``projections run`` logs when nothing else is set up (``--log-format json``: JSON)."""
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
    add_json(status)
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
    run.set_defaults(run=run_command)

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
    add_json(parked)
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
    add_app(parser)
    return parser


def _status(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet).as_read_only()
    try:
        if args.wait is not None:
            try:
                projections.wait_caught_up(args.names or None, timeout=args.wait)
            except (PositionTimeout, ProjectionFailed) as exc:
                print(f"fabula: {exc}", file=sys.stderr)
                _print_status(projections.status(args.names or None), [], as_json=args.json)
                return 1
        while True:
            statuses = projections.status(args.names or None)
            _print_status(statuses, slow_appends(projections.store), as_json=args.json)
            if args.watch is None:
                return 0
            time.sleep(args.watch)
            print()
    finally:
        projections.close()


def _print_status(statuses: list[ProjectionStatus], notes: list[str], *, as_json: bool) -> None:
    if as_json:
        print_json({"projections": [status_shape(s) for s in statuses], "notes": notes})
        return
    print(status_table(statuses), flush=True)
    for line in notes:
        print(line, flush=True)


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


def _say(text: str) -> None:
    print(f"fabula: {text}", file=sys.stderr, flush=True)


def run_command(args: argparse.Namespace) -> int:
    """``fabula projections run``: say what runs, run it until stopped, say why it stopped."""
    names = args.names or None
    workers = f"{args.processes} worker processes" if args.processes > 1 else "one worker"
    if args.processes > 1:
        _say(f"running the projections of {args.app} in {workers}, lease ttl {args.lease_ttl:g}s")
        _say("until SIGTERM or Ctrl-C; a worker that dies is restarted")
        run_workers(args.app, processes=args.processes, names=names, ttl=args.lease_ttl)
        _say("stopped: asked to (SIGTERM or Ctrl-C); workers stopped and leases released")
        return 0
    projections = load_app(args.app, ProjectionSet)
    chosen = ", ".join(names or projections.names) or "(none)"
    _say(f"running {chosen} from {args.app} in {workers}, lease ttl {args.lease_ttl:g}s")
    _say("until SIGTERM or Ctrl-C; see docs/operations.md for what it logs")
    try:
        run_worker(projections, names=names, lease=LeaseSettings(ttl=args.lease_ttl))
    except Exception as exc:
        _say(f"stopped: {type(exc).__name__}: {exc}")
        raise
    finally:
        projections.close()
    _say("stopped: asked to (SIGTERM or Ctrl-C); leases released")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet)
    started = time.monotonic()
    try:
        count = EventCount(projections.store)
        shown = Progress(args.name, count.total)

        def progress(position: int, head: int) -> None:
            shown.update(count.through(position))

        status = projections.rebuild(
            args.name, mode="copy" if args.copy else "in_place", progress=progress
        )
        shown.update(count.total)
        shown.close()
        # a partitioned projection: one row per partition (its position is the lowest)
        statuses = projections.status([args.name]) if args.name in projections.partitions else []
    finally:
        projections.close()
    print(f"rebuilt {args.name} to position {status.position} in {time.monotonic() - started:.1f}s")
    print(status_table(statuses or [status]))
    return 0


def _parked(args: argparse.Namespace) -> int:
    projections = load_app(args.app, ProjectionSet).as_read_only()
    try:
        letters = projections.parked(args.name)
    finally:
        projections.close()
    if args.json:
        print_json({"parked": [letter_shape(letter) for letter in letters]})
        return 0
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
