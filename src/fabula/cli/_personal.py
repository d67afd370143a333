"""``fabula personal export|forget``, and how ``fabula events`` shows personal fields."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

import msgspec

from fabula.app import PersonalData
from fabula.codec import Keyring
from fabula.domain import REDACTED
from fabula.store import EventStore, StoredEvent, open_store

__all__ = ["HIDDEN", "register", "shown"]

HIDDEN = "[personal]"
"""What ``fabula events`` prints for a personal field unless ``--show-personal`` is given."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``personal`` subcommand and its ``export`` and ``forget`` actions."""
    personal = commands.add_parser(
        "personal",
        help="export or forget the personal data of one subject",
        description="Personal fields (fabula.Personal) are sealed with one key per subject. "
        "export prints every stored event holding the subject's personal fields, opened, as "
        "JSON; forget destroys the subject's key (crypto-shredding) and signals "
        "SubjectForgotten to projections.",
    )
    actions = personal.add_subparsers(title="actions", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="print a subject's personal data as JSON")
    export.add_argument("url", help="store URL, e.g. sqlite:///app.db")
    export.add_argument("subject", help="the subject's id (the value of its subject field)")
    export.set_defaults(run=_export)
    forget = actions.add_parser("forget", help="destroy a subject's key, for good")
    forget.add_argument("url", help="store URL, e.g. sqlite:///app.db")
    forget.add_argument("subject", help="the subject's id (the value of its subject field)")
    forget.set_defaults(run=_forget)


def _export(args: argparse.Namespace) -> int:
    store = open_store(args.url, read_only=True)
    try:
        found = PersonalData(store).export(args.subject)
    finally:
        store.close()
    print(json.dumps(found.as_json(), indent=2, ensure_ascii=False))
    return 0


def _forget(args: argparse.Namespace) -> int:
    store = open_store(args.url)
    try:
        had = PersonalData(store).forget(args.subject)
    finally:
        store.close()
    what = "its key is destroyed" if had else "it had no key; it is marked forgotten"
    print(f"forgot subject {args.subject!r}: {what}")
    return 0


def shown(store: EventStore, records: Sequence[StoredEvent], *, reveal: bool) -> list[StoredEvent]:
    """Return ``records`` as ``fabula events`` prints them.

    A personal field prints as ``HIDDEN`` (its value with ``reveal``), and as ``REDACTED``
    once its subject is forgotten.

    Raises:
        PersonalKeyError: a subject's key is missing or corrupt.
    """
    opened = Keyring(store).open(records)
    result = []
    for before, after in zip(records, opened, strict=True):
        if before is after:
            result.append(after)
            continue
        sealed: dict[str, Any] = msgspec.json.decode(before.data)
        payload: dict[str, Any] = msgspec.json.decode(after.data)
        for name, value in sealed.items():
            if not (isinstance(value, dict) and "fabula:sealed" in value):
                continue
            was = payload[name]
            forgotten = isinstance(was, dict) and "fabula:forgotten" in was
            payload[name] = REDACTED if forgotten else was if reveal else HIDDEN
        result.append(msgspec.structs.replace(after, data=msgspec.json.encode(payload).decode()))
    return result
