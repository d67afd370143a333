"""The table of handlers per event class that projections, reactions and views share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry

__all__ = ["Entry", "HandlerTable", "check_name"]

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")


def check_name(kind: str, name: str) -> str:
    """Return ``name`` if it can key a checkpoint (and name a table or schema), else raise."""
    if not _NAME.match(name):
        msg = f"{kind} name {name!r} must start with a letter and use at most 48 of [A-Za-z0-9_]"
        raise ConfigurationError(msg)
    return name


@dataclass(frozen=True, slots=True)
class Entry(Generic[HandlerT]):
    """One handler, and how it takes its events.

    ``batch``: it may share a transaction with other events; ``many``: it takes a list
    of consecutive events (``Projection.on_batch``) rather than one.
    """

    handler: HandlerT
    batch: bool
    many: bool = False


class HandlerTable(Generic[HandlerT]):
    """Handlers keyed by event class; each class has at most one."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._entries: dict[type, Entry[HandlerT]] = {}

    def add(
        self, event_types: Iterable[type], handler: HandlerT, *, batch: bool, many: bool = False
    ) -> None:
        """Register ``handler`` for each class, refusing a class that has one already."""
        types = tuple(event_types)
        if not types:
            msg = f"{self._owner}: on() needs at least one event class"
            raise ConfigurationError(msg)
        for cls in types:
            if cls in self._entries:
                msg = f"{self._owner}: {cls.__qualname__} already has a handler"
                raise ConfigurationError(msg)
            self._entries[cls] = Entry(handler, batch, many)

    def get(self, event_type: type, /) -> Entry[HandlerT]:
        """Return the entry of an event class (raise if it has no handler)."""
        entry = self._entries.get(event_type)
        if entry is None:
            msg = f"{self._owner}: no handler for {event_type.__qualname__}"
            raise ConfigurationError(msg)
        return entry

    @property
    def event_types(self) -> tuple[type, ...]:
        """The handled event classes, in registration order."""
        return tuple(self._entries)

    def type_names(self, registry: EventRegistry) -> frozenset[str]:
        """Register every handled class with ``registry``; return the stored type names to read.

        Their names, and the old names renamed or split into them (``stored_names``).
        """
        for cls in self._entries:
            registry.register(cls)
        return registry.stored_names(self._entries)
