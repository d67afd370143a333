"""Class-style aggregates, compiled once into a ``Decider``.

A subclass declares its state as annotated fields with defaults (it becomes a dataclass:
``Todo()`` is the initial state), one ``@decides`` method per command and one ``@evolves``
method per event::

    class Counter(Aggregate, name="counter"):
        value: int = 0

        @decides
        def add(self, command: Add) -> list[Added]:
            return [Added(command.amount)]

        @evolves
        def added(self, event: Added) -> None:
            self.value += event.amount

Rules:
1. The command and event tables are built when the class is created, from each method's
   annotation (or the type given as ``@decides(Add)``), never per call.
2. A ``@decides`` method must not change the aggregate: attribute writes raise while it
   runs. It returns (or yields) the events, or raises a ``DomainError``.
3. An ``@evolves`` method changes ``self`` (or returns a new instance). Events without an
   ``@evolves`` method leave the state as it is.
"""

import dataclasses
import inspect
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Final,
    Generic,
    Protocol,
    Self,
    TypeVar,
    dataclass_transform,
    overload,
)

from fabula._errors import ConfigurationError, FrozenDuringDecide, UnknownCommand
from fabula.domain._decider import Decider

__all__ = ["Aggregate", "AggregateClass", "as_decider", "decides", "evolves"]

FuncT = TypeVar("FuncT", bound=Callable[..., Any])
AggregateT = TypeVar("AggregateT", bound="Aggregate")
StateT_co = TypeVar("StateT_co", covariant=True)
CommandT_co = TypeVar("CommandT_co", covariant=True)
if TYPE_CHECKING:
    # A default (PEP 696) keeps a bare ``Aggregate`` base valid; only checkers read it.
    from typing_extensions import TypeVar as TypeVarWithDefault

    CommandsT = TypeVarWithDefault("CommandsT", default=Any)
else:
    CommandsT = TypeVar("CommandsT")

_DECIDES: Final = "__fabula_decides__"
_EVOLVES: Final = "__fabula_evolves__"
_AUTO: Final = object()


def _mark(attribute: str, target: Any) -> Any:
    if isinstance(target, type):

        def explicit(func: FuncT) -> FuncT:
            setattr(func, attribute, target)
            return func

        return explicit
    setattr(target, attribute, _AUTO)
    return target


@overload
def decides(target: type[Any], /) -> Callable[[FuncT], FuncT]: ...
@overload
def decides(target: FuncT, /) -> FuncT: ...
def decides(target: Any, /) -> Any:
    """Mark a method as the decision for one command type (its annotation, or ``@decides(T)``)."""
    return _mark(_DECIDES, target)


@overload
def evolves(target: type[Any], /) -> Callable[[FuncT], FuncT]: ...
@overload
def evolves(target: FuncT, /) -> FuncT: ...
def evolves(target: Any, /) -> Any:
    """Mark a method as the state change for one event type (its annotation, or ``@evolves(T)``)."""
    return _mark(_EVOLVES, target)


class _CompiledDecider:
    """How a type checker sees ``Board.decider``: a ``Decider[Board, Any, Any]``."""

    @overload
    def __get__(
        self, instance: None, owner: type[AggregateT], /
    ) -> Decider[AggregateT, Any, Any]: ...
    @overload
    def __get__(self, instance: AggregateT, owner: Any, /) -> Decider[AggregateT, Any, Any]: ...
    def __get__(self, instance: Any, owner: Any, /) -> Any: ...


@dataclass_transform(kw_only_default=True)
class Aggregate(Generic[CommandsT]):
    """Base for class-style aggregates: state as fields, decisions and evolutions as methods.

    Name the commands to have type checkers check a flow's key function against them:
    ``class Board(Aggregate[AddTask | FinishTask])``; a bare ``Aggregate`` base works too.
    """

    if TYPE_CHECKING:
        decider: _CompiledDecider
        """The compiled decider for this class (built at class creation); its state is the class."""

        # Only for type checkers: how ``AggregateClass`` reads a class's state and commands.
        @classmethod
        def _fabula_state(cls) -> Self: ...
        @classmethod
        def _fabula_commands(cls) -> CommandsT: ...

    _fabula_deciding: ClassVar[bool] = False

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        events: Sequence[type] = (),
        snapshot_version: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if "__dataclass_fields__" not in cls.__dict__:
            dataclasses.dataclass(kw_only=True)(cls)
        deciding = _table(cls, _DECIDES)
        evolving = _table(cls, _EVOLVES)
        all_events = tuple(dict.fromkeys([*evolving, *events]))

        def initial_state() -> Any:
            return cls()

        def decide(command: Any, state: Any) -> Sequence[Any]:
            method = deciding.get(type(command))
            if method is None:
                raise UnknownCommand(type(command))
            object.__setattr__(state, "_fabula_deciding", True)
            try:
                decided = method(state, command)
            finally:
                object.__delattr__(state, "_fabula_deciding")
            return _as_events(decided)

        def evolve(state: Any, event: Any) -> Any:
            method = evolving.get(type(event))
            if method is None:
                return state
            changed = method(state, event)
            return state if changed is None else changed

        compiled: Decider[Any, Any, Any] = Decider(
            name=name or cls.__name__.lower(),
            initial_state=initial_state,
            decide=decide,
            evolve=evolve,
            commands=tuple(deciding),
            events=all_events,
            state_type=cls,
            snapshot_version=snapshot_version,
        )
        cls.decider = compiled  # type: ignore[assignment]  # checkers see _CompiledDecider

    def __setattr__(self, key: str, value: object) -> None:
        if self._fabula_deciding:
            msg = (
                f"{type(self).__qualname__}.{key}: a @decides method must not change the "
                "aggregate; return events and change state in an @evolves method"
            )
            raise FrozenDuringDecide(msg)
        object.__setattr__(self, key, value)


class AggregateClass(Protocol[StateT_co, CommandT_co]):
    """An ``Aggregate`` subclass seen by a type checker: its state (the class) and commands."""

    def _fabula_state(self) -> StateT_co: ...
    def _fabula_commands(self) -> CommandT_co: ...


def _as_events(decided: object) -> Sequence[Any]:
    if decided is None:
        return ()
    if isinstance(decided, list | tuple):
        return decided
    if isinstance(decided, Iterable) and not isinstance(decided, str | bytes | dict):
        return tuple(decided)
    return (decided,)


def _table(cls: type, attribute: str) -> dict[type, Callable[..., Any]]:
    table: dict[type, Callable[..., Any]] = {}
    for klass in reversed(cls.__mro__):
        for attr_name, member in vars(klass).items():
            marked = getattr(member, attribute, None)
            if marked is None:
                continue
            key = _argument_type(cls, member, attr_name) if marked is _AUTO else marked
            table[key] = member
    return table


def _argument_type(cls: type, func: Callable[..., Any], attr_name: str) -> type:
    params = list(inspect.signature(func).parameters.values())
    where = f"{cls.__qualname__}.{attr_name}"
    if len(params) != 2:
        msg = f"{where} must take exactly one argument besides self"
        raise ConfigurationError(msg)
    try:
        hints = typing.get_type_hints(func)
    except NameError as exc:
        msg = f"{where}: cannot resolve its annotation ({exc}); name the type: @decides(MyCommand)"
        raise ConfigurationError(msg) from exc
    hint = hints.get(params[1].name)
    if not isinstance(hint, type):
        msg = f"{where}: annotate its argument with a class, or name the type: @decides(MyCommand)"
        raise ConfigurationError(msg)
    return hint


StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")
EventT = TypeVar("EventT")


@overload
def as_decider(model: type[AggregateT], /) -> Decider[AggregateT, Any, Any]: ...
@overload
def as_decider(
    model: Decider[StateT, CommandT, EventT], /
) -> Decider[StateT, CommandT, EventT]: ...
def as_decider(model: Decider[Any, Any, Any] | type[Aggregate], /) -> Decider[Any, Any, Any]:
    """Return the decider of a class-style aggregate, or the decider itself."""
    decider = model if isinstance(model, Decider) else getattr(model, "decider", None)
    if not isinstance(decider, Decider):
        msg = f"expected a Decider or an Aggregate subclass, got {model!r}"
        raise ConfigurationError(msg)
    return decider
