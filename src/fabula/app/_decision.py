"""``Decision``: what a handler deciding over several streams sees and writes.

Rules:
1. The handler names its streams up front (``streams(command)``: ``(model, key)`` pairs);
   the flow loads each, then calls ``decide(command, decision)``. Reading a stream it did
   not name is a ``ConfigurationError``: the flow could not guard it.
2. ``decision.append(model, key, *events)`` collects events; nothing is written until the
   handler returns. A ``DomainError`` from the handler writes nothing.
3. Every named stream is appended with ``ExpectedVersion(loaded version)`` in one
   ``append_many`` transaction, the streams given no events included (their precondition
   alone is checked): a concurrent change to any stream read fails the whole decision, and
   ``RetryOnConflict`` decides it again on fresh state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, overload

from fabula._errors import ConfigurationError
from fabula.app._loaded import Loaded
from fabula.domain import Aggregate, Decider, as_decider

__all__ = ["Across", "Decision", "Model", "StreamsOf"]

StateT = TypeVar("StateT")
AggregateT = TypeVar("AggregateT", bound=Aggregate)

Model: TypeAlias = "Decider[Any, Any, Any] | type[Aggregate]"
"""A registered aggregate: a decider or a class-style aggregate."""

StreamsOf: TypeAlias = "Callable[[Any], Sequence[tuple[Model, str]]]"
"""``streams(command)``: the ``(model, key)`` pairs a decision reads and guards."""


class Decision:
    """The loaded states of the streams a command named, and the events it appends."""

    __slots__ = ("_appended", "_loaded")

    def __init__(self, loaded: dict[tuple[int, str], Loaded[Any]]) -> None:
        self._loaded = loaded
        self._appended: dict[str, list[object]] = {}

    @overload
    def state(self, model: type[AggregateT], key: str, /) -> AggregateT: ...
    @overload
    def state(self, model: Decider[StateT, Any, Any], key: str, /) -> StateT: ...
    def state(self, model: Model, key: str, /) -> Any:
        """Return the state of the stream of ``model`` keyed ``key``, as loaded.

        Raises:
            ConfigurationError: the command's ``streams`` did not name this stream.
        """
        return self._find(model, key).state

    def version(self, model: Model, key: str, /) -> int:
        """Return the loaded version of the stream of ``model`` keyed ``key`` (0: new)."""
        return self._find(model, key).version

    def append(self, model: Model, key: str, /, *events: object) -> None:
        """Append ``events`` to the stream of ``model`` keyed ``key`` when the decision commits.

        Raises:
            ConfigurationError: the command's ``streams`` did not name this stream, or an
                event is not one of ``model``'s event classes.
        """
        loaded = self._find(model, key)
        decider = as_decider(model)
        if decider.events:
            for event in events:
                if type(event) not in decider.events:
                    msg = f"{type(event).__qualname__} is not an event of {decider.name!r}"
                    raise ConfigurationError(msg)
        self._appended.setdefault(loaded.stream_id, []).extend(events)

    def events(self, stream_id: str, /) -> list[object]:
        """Return the events appended so far to ``stream_id``."""
        return list(self._appended.get(stream_id, ()))

    @property
    def loaded(self) -> list[Loaded[Any]]:
        """The streams the command named, as loaded, in their order."""
        return list(self._loaded.values())

    def _find(self, model: Model, key: str) -> Loaded[Any]:
        found = self._loaded.get((id(as_decider(model)), key))
        if found is None:
            name = as_decider(model).name
            msg = f"the decision did not name the stream of {name!r} keyed {key!r} in streams="
            raise ConfigurationError(msg)
        return found


@dataclass(frozen=True, slots=True)
class Across:
    """A command routed to a handler deciding over several streams (``register_decision``)."""

    streams: StreamsOf
    decide: Callable[[Any, Decision], object]
