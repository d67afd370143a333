"""Given / when / then for aggregates, in either style (a ``Decider`` or an ``Aggregate`` class).

::

    DeciderSpec(todo).given(Created(...)).when(MarkCompleted()).then(Completed())
    DeciderSpec(Customer).given(NameAdded("Ann")).when(AddCustomerName("Bo")).then_raises(
        NameAlreadyAdded, code="name_already_added"
    )

Rules:
1. ``given`` events are folded from the initial state; a failure there is a broken test
   setup and propagates as is.
2. ``when`` runs ``decide`` once and keeps what it returned or raised; each ``then_*``
   checks that outcome and raises ``AssertionError`` with expected and actual side by side.
3. ``then_state`` evolves the given state with the decided events, step by step, the way a
   repository does after an append.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Generic, NoReturn, TypeVar, cast, overload

from fabula.domain import Aggregate, Decider, as_decider, fold
from fabula.testing._format import (
    describe_events,
    describe_state_difference,
    first_difference,
    plural,
    short_repr,
)

__all__ = ["DeciderOutcome", "DeciderSpec"]

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")
EventT = TypeVar("EventT")
AggregateT = TypeVar("AggregateT", bound=Aggregate)
ErrorT = TypeVar("ErrorT", bound=Exception)


class DeciderSpec(Generic[StateT, CommandT, EventT]):
    """A specification of one aggregate: given past events, when a command, then an outcome.

    Build one per test (it is immutable: ``given`` returns a new spec)::

        spec = DeciderSpec(todo)
        spec.given(Created(Description("Buy milk"))).when(MarkCompleted()).then(Completed())
        spec.when(MarkCompleted()).then_raises(NotInitialized, code="not_initialized")
    """

    @overload
    def __init__(
        self: DeciderSpec[StateT, CommandT, EventT], model: Decider[StateT, CommandT, EventT], /
    ) -> None: ...
    @overload
    def __init__(
        self: DeciderSpec[AggregateT, object, object], model: type[AggregateT], /
    ) -> None: ...
    def __init__(self, model: Decider[Any, Any, Any] | type[Aggregate], /) -> None:
        """Specify the aggregate ``model``: a ``Decider`` or an ``Aggregate`` subclass."""
        self._decider: Decider[StateT, CommandT, EventT] = cast(
            "Decider[StateT, CommandT, EventT]", as_decider(model)
        )
        self._given: tuple[EventT, ...] = ()

    @property
    def decider(self) -> Decider[StateT, CommandT, EventT]:
        """The decider under test (the compiled one, for an ``Aggregate`` class)."""
        return self._decider

    def given(self, *events: EventT) -> DeciderSpec[StateT, CommandT, EventT]:
        """Return a spec whose stream already holds ``events`` (after any given before)."""
        spec = copy.copy(self)
        spec._given = (*self._given, *events)
        return spec

    def given_state(self) -> StateT:
        """Return the state the given events fold to (a fresh object on every call)."""
        return fold(self._decider, self._given)

    def when(self, command: CommandT, /) -> DeciderOutcome[StateT, CommandT, EventT]:
        """Decide ``command`` on the given state and return the outcome to check."""
        state = self.given_state()
        try:
            decided = tuple(self._decider.decide(command, state))
        except Exception as exc:  # kept to be checked by then_raises (or reported by then)
            return DeciderOutcome(self._decider, self._given, command, (), exc)
        return DeciderOutcome(self._decider, self._given, command, decided, None)


class DeciderOutcome(Generic[StateT, CommandT, EventT]):
    """What ``decide`` did with one command: the events it decided, or the error it raised.

    Each ``then_*`` method raises ``AssertionError`` when the outcome is not the expected one;
    ``then``, ``then_nothing`` and ``then_state`` return the outcome so checks can chain.
    """

    def __init__(
        self,
        decider: Decider[StateT, CommandT, EventT],
        given: tuple[EventT, ...],
        command: CommandT,
        events: tuple[EventT, ...],
        error: Exception | None,
    ) -> None:
        self._decider = decider
        self._given = given
        self._command = command
        self._events = events
        self._error = error

    @property
    def events(self) -> tuple[EventT, ...]:
        """The decided events (empty when ``decide`` raised)."""
        return self._events

    @property
    def error(self) -> Exception | None:
        """The exception ``decide`` raised, if it raised one."""
        return self._error

    def state(self) -> StateT:
        """Return the state after the given events and then the decided ones."""
        self._require_events("a state after the decided events")
        return fold(self._decider, self._events, fold(self._decider, self._given))

    def then(self, *expected: EventT) -> DeciderOutcome[StateT, CommandT, EventT]:
        """Check that the command decided exactly ``expected``, in order."""
        __tracebackhide__ = True
        self._require_events(f"{plural(len(expected), 'event')}", expected)
        index = first_difference(expected, self._events)
        if index is not None:
            where = [f"first difference at index {index}"]
            if index < min(len(expected), len(self._events)):
                want, got = expected[index], self._events[index]
                if type(want) is type(got):
                    where = [
                        f"first difference at index {index}:",
                        describe_state_difference(want, got),
                    ]
            self._fail(
                "the command decided other events than expected",
                f"expected ({plural(len(expected), 'event')}):",
                describe_events(expected, other=self._events),
                f"actual ({plural(len(self._events), 'event')}):",
                describe_events(self._events, other=expected),
                *where,
            )
        return self

    def then_nothing(self) -> DeciderOutcome[StateT, CommandT, EventT]:
        """Check that the command decided no events (a valid no-op)."""
        __tracebackhide__ = True
        self._require_events("no events")
        if self._events:
            count = plural(len(self._events), "event")
            self._fail(
                f"expected no events, but the command decided {count}:",
                describe_events(self._events),
            )
        return self

    def then_state(self, expected: StateT, /) -> DeciderOutcome[StateT, CommandT, EventT]:
        """Check the state after the given events and then the decided ones."""
        __tracebackhide__ = True
        actual = self.state()
        if actual != expected:
            self._fail(
                "the state after the decided events is not the expected one",
                "decided events:",
                describe_events(self._events),
                "state:",
                describe_state_difference(expected, actual),
            )
        return self

    def then_raises(
        self,
        error_type: type[ErrorT],
        /,
        *,
        code: str | None = None,
        message: str | None = None,
    ) -> ErrorT:
        """Check that the command was refused with ``error_type`` (usually a ``DomainError``).

        Args:
            error_type: the exception class expected (a subclass matches too).
            code: if given, the error's ``code`` must equal it.
            message: if given, the error's ``message`` (or ``str(error)``) must equal it.

        Returns:
            The error, for further checks.
        """
        __tracebackhide__ = True
        error = self._error
        if error is None:
            self._fail(
                f"expected {error_type.__qualname__} to be raised, but the command decided "
                f"{plural(len(self._events), 'event')}:",
                describe_events(self._events),
            )
        if not isinstance(error, error_type):
            self._fail(
                f"expected {error_type.__qualname__} to be raised, "
                f"but {type(error).__qualname__} was: {short_repr(error)}",
                cause=error,
            )
        if code is not None and getattr(error, "code", None) != code:
            actual_code = getattr(error, "code", "<no code attribute>")
            self._fail(
                f"{type(error).__qualname__} was raised with code {actual_code!r}, "
                f"expected {code!r}",
                cause=error,
            )
        actual_message = getattr(error, "message", None)
        if not isinstance(actual_message, str):
            actual_message = str(error)
        if message is not None and actual_message != message:
            self._fail(
                f"{type(error).__qualname__} was raised with message {actual_message!r}, "
                f"expected {message!r}",
                cause=error,
            )
        return error

    def _require_events(self, wanted: str, expected: Sequence[EventT] = ()) -> None:
        __tracebackhide__ = True
        if self._error is not None:
            lines = ["expected:", describe_events(expected)] if expected else []
            self._fail(
                f"expected {wanted}, but the command raised "
                f"{type(self._error).__qualname__}: {short_repr(self._error)}",
                *lines,
                cause=self._error,
            )

    def _fail(self, headline: str, *details: str, cause: BaseException | None = None) -> NoReturn:
        __tracebackhide__ = True
        context = [
            f"DeciderSpec({self._decider.name}): {headline}",
            *details,
            f"given ({plural(len(self._given), 'event')}):",
            describe_events(self._given),
            f"when: {short_repr(self._command)}",
        ]
        raise AssertionError("\n".join(context)) from cause
