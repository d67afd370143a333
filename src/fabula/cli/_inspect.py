"""``fabula streams`` and ``fabula events``: what a store holds (opened read-only).

With ``--json``, ``streams`` prints one document ``{"streams": [...], "total": n}`` and
``events`` prints JSON Lines, one event object per line (it may follow the log live).
"""

from __future__ import annotations

import argparse

from fabula.cli._options import add_json, add_store_url, print_json, print_json_line, store_url
from fabula.cli._personal import shown
from fabula.cli._shapes import event_shape, stream_shape
from fabula.store import EventStore, StoredEvent, open_store

__all__ = ["format_event", "register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``streams`` and ``events`` subcommands."""
    streams = commands.add_parser(
        "streams",
        help="list the streams of a store with their versions",
        description="List the streams of a store (ordered by id) with their current versions.",
    )
    add_store_url(streams)
    add_json(streams)
    streams.add_argument("--prefix", default="", help="only streams whose id starts with this")
    streams.add_argument("--limit", type=int, default=None, help="show at most this many")
    shown = streams.add_mutually_exclusive_group()
    shown.add_argument(
        "--archived",
        dest="status",
        action="store_const",
        const="archived",
        default="live",
        help="list the archived streams instead (hidden otherwise)",
    )
    shown.add_argument(
        "--deleted",
        dest="status",
        action="store_const",
        const="deleted",
        help="list the deleted streams instead (hidden otherwise)",
    )
    streams.set_defaults(run=_streams)

    events = commands.add_parser(
        "events",
        help="print the events of a store (or of one stream), optionally following live",
        description="Print stored events in global order, one per line: position, "
        "stream@version, type, time, payload and metadata.",
    )
    add_store_url(events)
    add_json(events)
    events.add_argument("--stream", help="only this stream (in stream order)")
    events.add_argument("--after", type=int, default=0, help="start after this global position")
    events.add_argument("--type", action="append", dest="types", help="only this event type")
    events.add_argument("--category", action="append", dest="categories", help="only this category")
    events.add_argument("--limit", type=int, default=None, help="show at most this many")
    events.add_argument(
        "--follow", action="store_true", help="keep running and print new events as they come"
    )
    events.add_argument(
        "--show-personal",
        action="store_true",
        help="print personal fields in clear (default: [personal]; forgotten: [redacted])",
    )
    events.set_defaults(run=_events)


def format_event(item: StoredEvent) -> str:
    """One readable line for a stored event."""
    when = item.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    meta = "" if item.metadata == "{}" else f"  meta={item.metadata}"
    where = f"{item.stream_id}@{item.version}"
    return f"#{item.position:<6} {where:<24} {item.type:<28} {when}  {item.data}{meta}"


def _streams(args: argparse.Namespace) -> int:
    store = open_store(store_url(args), read_only=True)
    try:
        found = store.list_streams(args.prefix, limit=args.limit, status=args.status)
        if args.json:
            streams = [stream_shape(info) for info in found]
            print_json(
                {"streams": streams, "total": store.count_streams(args.prefix, status=args.status)}
            )
            return 0
        width = max((len(s.stream_id) for s in found), default=6)
        print(f"{'stream':<{width}}  version")
        for info in found:
            print(f"{info.stream_id:<{width}}  {info.version:>7}")
        total = store.count_streams(args.prefix, status=args.status)
        kind = "" if args.status == "live" else f"{args.status} "
        print(f"({total} {kind}stream{'s' if total != 1 else ''})")
    finally:
        store.close()
    return 0


def _show(item: StoredEvent, args: argparse.Namespace) -> None:
    if args.json:
        print_json_line(event_shape(item))
    else:
        print(format_event(item), flush=True)


def _events(args: argparse.Namespace) -> int:
    store = open_store(store_url(args), read_only=True)
    try:
        if args.stream:
            return _stream_events(store, args)
        count = 0
        with store.subscribe(after=args.after, types=args.types, categories=args.categories) as sub:
            while args.limit is None or count < args.limit:
                batch = sub.next_batch(timeout=None if args.follow else 0)
                if not batch and not args.follow:
                    break
                batch = shown(store, batch, reveal=args.show_personal)
                for item in batch[: None if args.limit is None else args.limit - count]:
                    _show(item, args)
                    count += 1
    finally:
        store.close()
    return 0


def _stream_events(store: EventStore, args: argparse.Namespace) -> int:
    last = 0
    count = 0
    while True:
        # The first page starts at the first readable version (a truncated stream's).
        first = None if last == 0 else last + 1
        page = store.read_stream(args.stream, from_version=first, limit=500)
        for item in shown(store, page, reveal=args.show_personal):
            if args.limit is not None and count >= args.limit:
                return 0
            _show(item, args)
            count += 1
            last = item.version
        if not page:
            if not args.follow:
                return 0
            store.wait_for_events(store.head(), timeout=1.0)
