"""``fabula stream archive|unarchive|delete|truncate``: a stream's lifecycle (ADR 0015).

Archiving is undone by ``unarchive``; ``delete`` and ``truncate`` are not, so they only
say what they would do unless ``--yes`` confirms them.
"""

from __future__ import annotations

import argparse
import sys

from fabula.store import EventStore, open_store

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``stream`` command and its lifecycle subcommands."""
    stream = commands.add_parser(
        "stream",
        help="archive, unarchive, delete or truncate one stream",
        description="Change one stream's lifecycle. delete and truncate cannot be undone: "
        "without --yes they only say what they would do.",
    )
    actions = stream.add_subparsers(title="actions", metavar="ACTION", required=True)
    for name, run, text in (
        ("archive", _archive, "hide a stream from loads, appends and listings (reversible)"),
        ("unarchive", _unarchive, "make an archived stream live again"),
        ("delete", _delete, "end a stream with a tombstone: no more reads or appends"),
        ("truncate", _truncate, "make the versions below --before unreadable"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("url", help="store URL, e.g. sqlite:///app.db")
        action.add_argument("stream_id", help="the stream's id")
        if name == "truncate":
            action.add_argument(
                "--before",
                type=int,
                required=True,
                help="the first version that stays readable (keep a snapshot at or above "
                "before - 1, or the aggregate no longer loads)",
            )
        if name in ("delete", "truncate"):
            action.add_argument("--yes", action="store_true", help="do it (cannot be undone)")
        action.set_defaults(run=run)


def _archive(args: argparse.Namespace) -> int:
    with open_store(args.url) as store:
        store.archive_stream(args.stream_id)
    print(f"archived {args.stream_id} (fabula stream unarchive restores it)")
    return 0


def _unarchive(args: argparse.Namespace) -> int:
    with open_store(args.url) as store:
        store.unarchive_stream(args.stream_id)
    print(f"unarchived {args.stream_id}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with open_store(args.url) as store:
        if not args.yes:
            return _unconfirmed(store, args, "delete")
        result = store.delete_stream(args.stream_id)
    print(f"deleted {args.stream_id}: tombstone at version {result.version}")
    return 0


def _truncate(args: argparse.Namespace) -> int:
    with open_store(args.url) as store:
        if not args.yes:
            return _unconfirmed(store, args, f"truncate before version {args.before}")
        store.truncate_stream(args.stream_id, before=args.before)
        snapshot = store.load_snapshot(args.stream_id)
    kept = "no snapshot" if snapshot is None else f"snapshot at version {snapshot.version}"
    print(f"truncated {args.stream_id} before version {args.before} ({kept} kept)")
    return 0


def _unconfirmed(store: EventStore, args: argparse.Namespace, what: str) -> int:
    state = store.stream_state(args.stream_id)
    print(
        f"would {what} {args.stream_id} (version {state.version}, {state.status}); "
        "this cannot be undone: add --yes to do it",
        file=sys.stderr,
    )
    return 2
