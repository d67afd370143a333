"""``fabula check`` and ``fabula copy``: verify a store against the code, copy it transformed.

``check`` opens the store read-only and decodes every event and snapshot with the code
named by ``--app`` (exit 1 when anything fails). ``copy`` reads the source read-only,
writes into an empty destination through ``--transform``, verifies counts and checksums,
and with ``--app`` checks the destination too. Progress goes to stderr on a terminal.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, cast

from fabula._errors import ConfigurationError
from fabula.evolution import CurrentCode, Transform, check_store, copy_store, load_code
from fabula.store import open_store

__all__ = ["register"]

_BAR = 30


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` and ``copy`` commands."""
    check = commands.add_parser(
        "check",
        help="decode every stored event and snapshot with the current code",
        description="Decode every stored event and snapshot with the current code (read-only, "
        "page by page); report unknown types, missing upcasters and decode failures by type, "
        "with counts and the first positions. Exit 1 when anything fails.",
    )
    check.add_argument("url", help="the store's URL (opened read-only)")
    check.add_argument(
        "--app",
        required=True,
        help="the current code, as package.module:name (an EventRegistry, a Flow, a "
        "fabula.evolution.CurrentCode, or a function returning one)",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--page-size", type=int, default=1000, help="events per read")
    check.add_argument("--first", type=int, default=3, help="positions shown per problem")
    check.add_argument("--no-snapshots", action="store_true", help="check events only")
    check.set_defaults(run=_check)

    copy = commands.add_parser(
        "copy",
        help="copy a store into an empty one, transforming events",
        description="Copy every event of SRC_URL (opened read-only) into the empty DST_URL "
        "(a new file, or a new PostgreSQL ?schema=), through --transform; keep event ids, "
        "stream order and metadata; verify counts and checksums.",
    )
    copy.add_argument("source", metavar="SRC_URL")
    copy.add_argument("destination", metavar="DST_URL")
    copy.add_argument(
        "--transform", help="package.module:function, (StoredEvent) -> record(s) or None"
    )
    copy.add_argument("--app", help="the current code: check the destination with it afterwards")
    copy.add_argument("--json", action="store_true", help="print the report as JSON")
    copy.add_argument("--page-size", type=int, default=1000, help="events per read and write")
    copy.set_defaults(run=_copy)


def _progress(what: str) -> Any:
    if not sys.stderr.isatty():
        return None

    def show(done: int, head: int) -> None:
        share = min(done / head, 1.0) if head else 1.0
        filled = round(share * _BAR)
        bar = "#" * filled + "." * (_BAR - filled)
        print(f"\r{what} [{bar}] {done} events", end="", file=sys.stderr, flush=True)

    return show


def _done_progress() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    code = load_code(args.app)
    store = open_store(args.url, read_only=True)
    try:
        report = check_store(
            store,
            code,
            page_size=args.page_size,
            first=args.first,
            snapshots=not args.no_snapshots,
            progress=_progress("check"),
        )
    finally:
        store.close()
    _done_progress()
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _copy(args: argparse.Namespace) -> int:
    if args.source == args.destination:
        msg = "copy needs two stores: SRC_URL and DST_URL are the same"
        raise ConfigurationError(msg)
    transform = _load_transform(args.transform) if args.transform else None
    code: CurrentCode | None = load_code(args.app) if args.app else None
    source = open_store(args.source, read_only=True)
    try:
        destination = open_store(args.destination)
        try:
            report = copy_store(
                source,
                destination,
                transform=transform,
                page_size=args.page_size,
                progress=_progress("copy"),
            )
            checked = check_store(destination, code) if code is not None else None
        finally:
            destination.close()
    finally:
        source.close()
    _done_progress()
    if args.json:
        out = report.as_json()
        if checked is not None:
            out["check"] = checked.as_json()
        print(json.dumps(out, indent=2))
    else:
        print(
            f"copied {report.read} events into {report.written} ({report.dropped} dropped) "
            f"in {report.streams} streams; checksum {report.checksum} verified; "
            f"{report.snapshots} snapshots and {report.keys} personal keys copied"
        )
        if checked is not None:
            print("\n".join(checked.lines()))
    return 0 if checked is None or checked.ok else 1


def _load_transform(spec: str) -> Transform:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        msg = f"--transform must look like package.module:function, not {spec!r}"
        raise ConfigurationError(msg)
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        msg = f"cannot import {module_name!r} (from --transform {spec!r}): {exc}"
        raise ConfigurationError(msg) from exc
    for part in attribute.split("."):
        found = getattr(found, part, None)
    if not callable(found):
        msg = f"--transform {spec!r} is not a function"
        raise ConfigurationError(msg)
    return cast("Transform", found)
