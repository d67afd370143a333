"""Properties every decider must have, checked for one history and one command.

Made for property-based tests: draw a history and a command (with hypothesis, say) and
call ``assert_replay_consistent``; it raises ``AssertionError`` when a law is broken.

Laws checked:
1. ``decide`` does not change the state it is given.
2. ``decide`` is deterministic: on an equal state it decides equal events (or raises an
   equal error). Clocks and random ids belong in the command.
3. Replaying history plus the decided events from the initial state gives the same state
   as evolving the loaded state with the decided events step by step (what a repository
   holds after an append equals what the next load rebuilds).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn, TypeVar, overload

from fabula._errors import DomainError
from fabula.domain import Aggregate, Decider, as_decider, fold
from fabula.testing._format import describe_events, describe_state_difference, short_repr

__all__ = ["assert_replay_consistent"]

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")
EventT = TypeVar("EventT")


@overload
def assert_replay_consistent(
    model: Decider[StateT, CommandT, EventT], events: Iterable[EventT], command: CommandT, /
) -> tuple[EventT, ...]: ...
@overload
def assert_replay_consistent(
    model: type[Aggregate], events: Iterable[object], command: object, /
) -> tuple[object, ...]: ...
def assert_replay_consistent(
    model: Decider[Any, Any, Any] | type[Aggregate], events: Iterable[Any], command: Any, /
) -> tuple[Any, ...]:
    """Check the decider laws for ``command`` on the stream holding ``events``.

    A ``DomainError`` from ``decide`` is a valid outcome (the laws are checked with no
    decided events); any other exception propagates.

    Returns:
        The decided events (empty when the command was refused).

    Raises:
        AssertionError: a law is broken; the message says which, with the states involved.
    """
    __tracebackhide__ = True
    decider = as_decider(model)
    history = tuple(events)
    state = fold(decider, history)
    decided, error = _decide(decider, command, state)

    untouched = fold(decider, history)
    if state != untouched:
        _fail(
            decider,
            "decide changed the state it was given",
            describe_state_difference(untouched, state),
        )

    again, again_error = _decide(decider, command, fold(decider, history))
    if again != decided or again_error != error:
        _fail(
            decider,
            f"decide is not deterministic for {short_repr(command)}",
            "first time:",
            describe_events(decided) if error is None else f"    raised {short_repr(error)}",
            "second time:",
            describe_events(again)
            if again_error is None
            else f"    raised {short_repr(again_error)}",
        )

    stepped = fold(decider, decided, state)
    replayed = fold(decider, (*history, *decided))
    if stepped != replayed:
        _fail(
            decider,
            "replaying history + decided events differs from evolving the loaded state",
            "decided events:",
            describe_events(decided),
            "state (expected: evolved step by step; actual: replayed):",
            describe_state_difference(stepped, replayed),
        )
    return decided


def _decide(
    decider: Decider[Any, Any, Any], command: object, state: object
) -> tuple[tuple[Any, ...], DomainError | None]:
    try:
        return tuple(decider.decide(command, state)), None
    except DomainError as exc:
        return (), exc


def _fail(decider: Decider[Any, Any, Any], headline: str, *details: str) -> NoReturn:
    __tracebackhide__ = True
    raise AssertionError("\n".join([f"{decider.name}: {headline}", *details]))
