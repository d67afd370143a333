"""What both raw baselines share: the payloads as JSON text and the fold over stored rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "HISTORY_PAGE",
    "ItemState",
    "created",
    "decode",
    "fold",
    "history_rows",
    "marked",
    "snapshot_state",
    "updated",
]

decode = json.JSONDecoder().decode
"""One decoder for every payload (measured faster than psycopg's jsonb loader)."""

_encode = json.JSONEncoder(separators=(",", ":")).encode

HISTORY_PAGE = 5000
"""Rows per COPY/executemany chunk in setups."""


def created(index: int) -> str:
    """``Created {name: "item-<i>", value: 0}`` as JSON."""
    return _encode({"name": f"item-{index}", "value": 0})


def updated(amount: int = 1) -> str:
    """``Updated {amount}`` as JSON."""
    return _encode({"amount": amount})


def marked(token: str) -> str:
    """``Marked {token}`` as JSON."""
    return _encode({"token": token})


def snapshot_state(index: int, version: int) -> str:
    """The state of stream ``index`` at ``version`` (Created + version-1 Updated) as JSON."""
    return _encode({"name": f"item-{index}", "value": version - 1})


def history_rows(
    stream_ids: Iterable[object], history: int
) -> Iterator[tuple[object, int, str, str]]:
    """``(stream_id, version, type, data)`` for each stream: ``Created`` then ``Updated``s."""
    update = updated()
    for index, stream_id in enumerate(stream_ids):
        yield stream_id, 1, "Created", created(index)
        for version in range(2, history + 1):
            yield stream_id, version, "Updated", update


@dataclass(slots=True)
class ItemState:
    """The state of an ``Item``: ``{name, value}``."""

    name: str = ""
    value: int = 0


def fold(
    rows: Iterable[tuple[int, str, str]], state: ItemState | None = None, version: int = 0
) -> tuple[ItemState, int]:
    """Rebuild the state from ``(version, type, data)`` rows; return it and the last version."""
    current = ItemState() if state is None else state
    for row_version, kind, data in rows:
        version = row_version
        payload = decode(data)
        if kind == "Created":
            current = ItemState(payload["name"], payload["value"])
        elif kind == "Updated":
            current.value += payload["amount"]
        elif kind == "Marked":
            current.value += 1
    return current, version
