"""Given events, then state: a specification for projections and query models.

The view is any left fold over events, in one of three shapes:

- a ``Decider``, or any object with ``initial_state()`` and ``evolve(state, event)``;
- an ``Aggregate`` subclass whose ``@evolves`` methods build a read model;
- a plain function ``(state, event) -> state``, with ``initial=`` the starting state.

::

    ProjectionSpec(CustomerContactQuery).given(NameAdded("John Doe")).then(
        CustomerContactQuery(name="John Doe")
    )

Rules:
1. Every check folds from a fresh start: ``initial_state()``, or a deep copy of
   ``initial=``, so views that change their state in place stay independent per check.
2. ``given`` returns a new spec; a spec is never changed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, Final, Generic, NoReturn, Protocol, TypeVar, overload

from fabula._errors import ConfigurationError
from fabula.domain import Aggregate, as_decider
from fabula.testing._format import describe_events, describe_state_difference, plural

__all__ = ["Fold", "ProjectionSpec"]

StateT = TypeVar("StateT")
EventT = TypeVar("EventT")
EventT_contra = TypeVar("EventT_contra", contravariant=True)
AggregateT = TypeVar("AggregateT", bound=Aggregate)


class Fold(Protocol[StateT, EventT_contra]):
    """Anything with an initial state and an evolve function (a ``Decider`` is one)."""

    @property
    def initial_state(self) -> Callable[[], StateT]:
        """Return the state before any event."""
        ...

    @property
    def evolve(self) -> Callable[[StateT, EventT_contra], StateT]:
        """Return the state after one more event."""
        ...


class _NoInitial:
    def __repr__(self) -> str:
        return "<no initial state>"


_NO_INITIAL: Final = _NoInitial()


class ProjectionSpec(Generic[StateT, EventT]):
    """A specification of a read model: given events, then the state they fold to."""

    @overload
    def __init__(
        self: ProjectionSpec[AggregateT, object],
        view: type[AggregateT],
        /,
        *,
        initial: AggregateT = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ProjectionSpec[StateT, EventT],
        view: Fold[StateT, EventT],
        /,
        *,
        initial: StateT = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ProjectionSpec[StateT, EventT],
        view: Callable[[StateT, EventT], StateT],
        /,
        *,
        initial: StateT,
    ) -> None: ...
    def __init__(self, view: Any, /, *, initial: Any = _NO_INITIAL) -> None:
        """Specify the read model ``view``; ``initial`` replaces its initial state."""
        name, start, evolve = _unpack(view, initial)
        self._name: str = name
        self._start: Callable[[], StateT] = start
        self._evolve: Callable[[StateT, EventT], StateT] = evolve
        self._given: tuple[EventT, ...] = ()

    def given(self, *events: EventT) -> ProjectionSpec[StateT, EventT]:
        """Return a spec that has also seen ``events`` (after any given before)."""
        spec = copy.copy(self)
        spec._given = (*self._given, *events)
        return spec

    def state(self) -> StateT:
        """Return the state the given events fold to (a fresh object on every call)."""
        state = self._start()
        for item in self._given:
            state = self._evolve(state, item)
        return state

    def then(self, expected: StateT, /) -> StateT:
        """Check that the given events fold to ``expected``; return the actual state."""
        __tracebackhide__ = True
        actual = self.state()
        if actual != expected:
            self._fail(
                "the events fold to another state than expected",
                describe_state_difference(expected, actual),
            )
        return actual

    def _fail(self, headline: str, *details: str) -> NoReturn:
        __tracebackhide__ = True
        lines = [
            f"ProjectionSpec({self._name}): {headline}",
            *details,
            f"given ({plural(len(self._given), 'event')}):",
            describe_events(self._given),
        ]
        raise AssertionError("\n".join(lines))


def _unpack(view: Any, initial: Any) -> tuple[str, Callable[[], Any], Callable[[Any, Any], Any]]:
    if initial is not _NO_INITIAL:
        start: Callable[[], Any] | None = functools.partial(copy.deepcopy, initial)
    else:
        start = None
    if isinstance(view, type) and issubclass(view, Aggregate):
        decider = as_decider(view)
        return decider.name, start or decider.initial_state, decider.evolve
    if callable(getattr(view, "initial_state", None)) and callable(getattr(view, "evolve", None)):
        name = str(getattr(view, "name", type(view).__qualname__))
        return name, start or view.initial_state, view.evolve
    if not callable(view):
        msg = f"ProjectionSpec needs a Decider, an Aggregate class or a function, not {view!r}"
        raise ConfigurationError(msg)
    name = str(getattr(view, "__qualname__", repr(view)))
    if start is None:
        msg = f"ProjectionSpec({name}): a plain evolve function needs initial=<state>"
        raise ConfigurationError(msg)
    return name, start, view
