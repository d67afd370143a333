"""The decider: three pure functions (initial state, decide, evolve) that make an aggregate.

Rules:
1. ``decide(command, state)`` returns the events the command causes (maybe none) or
   raises a ``DomainError``. It never changes ``state``.
2. ``evolve(state, event)`` returns the state after the event. It must accept every
   event that was ever stored for the stream, so history always replays.
3. Time, ids and other outside facts come in through the command, never from a clock or
   random source inside ``decide``.

The class style (``Aggregate``) compiles to this same shape, so one machinery runs both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["Decider", "fold"]

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")
EventT = TypeVar("EventT")


@dataclass(frozen=True, slots=True, kw_only=True)
class Decider(Generic[StateT, CommandT, EventT]):
    """An aggregate written as plain functions.

    Attributes:
        name: stable name of the aggregate type (used for snapshots, logs and errors).
        initial_state: returns the state of a stream with no events.
        decide: ``(command, state) -> events``; pure.
        evolve: ``(state, event) -> state``; pure.
        commands: the command classes this decider handles (a flow routes them here).
        events: the event classes it emits and evolves on (registered with the codec).
        state_type: the state's class, used to decode snapshots (``None``: no snapshots).
        snapshot_version: bump it when the state's shape changes: older snapshots are
            then upcast by ``snapshot_upcasters``, or else ignored (the stream is replayed).
        snapshot_upcasters: ``{from_version: (state JSON) -> next version's JSON}``; a
            snapshot whose chain to ``snapshot_version`` has a gap is ignored.
    """

    name: str
    initial_state: Callable[[], StateT]
    decide: Callable[[CommandT, StateT], Sequence[EventT]]
    evolve: Callable[[StateT, EventT], StateT]
    commands: tuple[type, ...] = ()
    events: tuple[type, ...] = ()
    state_type: object = None
    snapshot_version: int = 1
    snapshot_upcasters: Mapping[int, Callable[[Any], Any]] = field(default_factory=dict)
    _handles: frozenset[type] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_handles", frozenset(self.commands))

    def handles(self, command_type: type) -> bool:
        """Tell whether this decider declares ``command_type`` among its commands."""
        return command_type in self._handles


def fold(
    decider: Decider[StateT, CommandT, EventT],
    events: Iterable[EventT],
    state: StateT | None = None,
) -> StateT:
    """Evolve ``state`` (default: the initial state) through ``events`` and return the result."""
    current = decider.initial_state() if state is None else state
    evolve = decider.evolve
    for item in events:
        current = evolve(current, item)
    return current
