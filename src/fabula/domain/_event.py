"""Event naming: every event class carries an explicit, stable type name and a schema version.

Rules:
1. The stored name of an event is what ``@event("name")`` says, never the Python import
   path: renaming or moving a class must not break history.
2. ``version`` is the payload's schema version. Bump it when the payload changes shape and
   register an upcaster for the older versions.
3. A plain class (no base but ``object``, not a dataclass yet) becomes a frozen dataclass:
   ``@event("x")`` on annotated fields is the whole declaration. Dataclasses, msgspec
   Structs and pydantic models are left as they are.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar, cast, dataclass_transform

from fabula._errors import ConfigurationError

__all__ = ["EventType", "event", "event_type_of"]

ClassT = TypeVar("ClassT", bound=type)

_ATTRIBUTE: Final = "__fabula_event__"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.:\-]{0,199}$")


@dataclass(frozen=True, slots=True)
class EventType:
    """The stable identity of an event class: its stored name and schema version."""

    name: str
    version: int = 1


@dataclass_transform(frozen_default=True)
def event(name: str, *, version: int = 1) -> Callable[[ClassT], ClassT]:
    """Give an event class its stable stored type name and schema version.

    A plain annotated class becomes a frozen dataclass; frozen dataclasses, msgspec
    Structs and pydantic models are kept as they are::

        @event("todo_created")
        class Created:
            description: str
    """
    if not _NAME.match(name):
        msg = f"event type name {name!r} must start with a letter and use [A-Za-z0-9_.:-]"
        raise ConfigurationError(msg)
    if version < 1:
        msg = f"event {name!r}: schema version must be >= 1, not {version}"
        raise ConfigurationError(msg)

    def mark(cls: ClassT) -> ClassT:
        if cls.__bases__ == (object,) and not dataclasses.is_dataclass(cls):
            cls = cast("ClassT", dataclass(frozen=True)(cls))  # rule 3
        setattr(cls, _ATTRIBUTE, EventType(name, version))
        return cls

    return mark


def event_type_of(cls: type) -> EventType:
    """Return the stable type of an event class, or raise if it was never named."""
    # Look in the class's own namespace: a subclass must be named on its own.
    found = cls.__dict__.get(_ATTRIBUTE)
    if not isinstance(found, EventType):
        msg = (
            f"{cls.__qualname__} has no stable event type name: "
            f'decorate it with @fabula.event("some_name")'
        )
        raise ConfigurationError(msg)
    return found
