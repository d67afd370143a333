"""Stream ids from keys: ``register(model, key=...)`` names streams ``"<aggregate name>-<key>"``.

Rules:
1. The aggregate's name is the stream's category (``store.category_of``: the part before the
   first ``-``), so it may hold no ``-``; nor ``/`` or whitespace, which break URLs and CLI
   filters. A bad name is a ``ConfigurationError`` at registration.
2. A key is a non-empty ``str``; anything else is an ``InvalidArgument`` before any write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fabula._errors import ConfigurationError, InvalidArgument

__all__ = ["Keyed", "check_name", "stream_name"]


@dataclass(frozen=True, slots=True)
class Keyed:
    """``stream_id(command)`` for ``register(..., key=...)``: ``"<aggregate name>-<key>"``."""

    name: str
    key: Callable[[Any], str]

    def __call__(self, command: Any) -> str:
        return stream_name(self.name, self.key(command))


def stream_name(name: str, key: str) -> str:
    """Return the stream id of an aggregate's instance: ``"<name>-<key>"``."""
    given: object = key  # a key function's result is checked: its type is the user's word
    if not isinstance(given, str) or not given:
        argument, wanted = "key", "a non-empty str naming the aggregate instance"
        raise InvalidArgument(argument, key, wanted)
    return f"{name}-{key}"


def check_name(name: str) -> str:
    """Return ``name`` if it can prefix stream ids (rule 1)."""
    # The stream's category is the part of its id before the first "-" (store.category_of),
    # so the aggregate's name must hold no "-"; "/" and spaces break URLs and CLI filters.
    if not name or any(char in name for char in "-/ \t\n"):
        msg = (
            f"aggregate name {name!r} cannot prefix stream ids: use letters, digits and _ "
            "(a - would split the stream category)"
        )
        raise ConfigurationError(msg)
    return name
