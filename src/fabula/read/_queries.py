# Generated from _queries_async.py by tools/unasync.py: do not edit, edit the source.
"""``QueryBus``: route each query to its handler, optionally after a position is read.

A query is any value; its class picks the handler. Subclass ``Query[Result]`` to let type
checkers know what ``ask`` returns::

    @dataclass(frozen=True)
    class GetTodo(Query[TodoView | None]):
        todo_id: str

    bus.register(GetTodo, get_todo, consistency=runner)
    view = bus.ask(GetTodo("42"), after=result.position)   # read your writes

``after=`` waits, with ``timeout``, until the handler's ``consistency`` source (a runner
or a projection set) has passed that position: the read model then holds the write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, overload

from fabula._errors import ConfigurationError
from fabula.read._call import call
from fabula.read._errors import UnknownQuery
from fabula.read._query import Query

__all__ = ["PositionWaiter", "Query", "QueryBus"]

ResultT = TypeVar("ResultT")
QueryT = TypeVar("QueryT")


class PositionWaiter(Protocol):
    """What ``after=`` waits on: a runner, or a projection set."""

    def wait_for_position(self, position: int | None, /, *, timeout: float = ...) -> object:
        """Return once ``position`` is passed; raise on timeout."""
        ...


@dataclass(frozen=True, slots=True)
class _Route:
    handler: Callable[[Any], Any]
    consistency: PositionWaiter | None


class QueryBus:
    """Routes queries to handlers by query class (handlers may be sync or async)."""

    def __init__(self) -> None:
        self._routes: dict[type, _Route] = {}

    def register(
        self,
        query_type: type[QueryT],
        handler: Callable[[QueryT], Any],
        /,
        *,
        consistency: PositionWaiter | None = None,
    ) -> None:
        """Route ``query_type`` to ``handler``; ``consistency`` serves ``ask(after=...)``."""
        if query_type in self._routes:
            msg = f"query {query_type.__qualname__} already has a handler"
            raise ConfigurationError(msg)
        self._routes[query_type] = _Route(handler, consistency)

    def handler(
        self, query_type: type[QueryT], /, *, consistency: PositionWaiter | None = None
    ) -> Callable[[Callable[[QueryT], ResultT]], Callable[[QueryT], ResultT]]:
        """Decorator form of ``register``."""

        def register(handler: Callable[[QueryT], ResultT]) -> Callable[[QueryT], ResultT]:
            self.register(query_type, handler, consistency=consistency)
            return handler

        return register

    @overload
    def ask(
        self, query: Query[ResultT], /, *, after: int | None = None, timeout: float = 10.0
    ) -> ResultT: ...
    @overload
    def ask(self, query: object, /, *, after: int | None = None, timeout: float = 10.0) -> Any: ...
    def ask(self, query: object, /, *, after: int | None = None, timeout: float = 10.0) -> Any:
        """Answer ``query``; with ``after``, first wait until its read model passed that position.

        Raises:
            UnknownQuery: no handler is registered for the query's class.
            ConfigurationError: ``after`` was given but the handler has no ``consistency``.
            PositionTimeout: the read model did not pass ``after`` within ``timeout``.
        """
        route = self._routes.get(type(query))
        if route is None:
            raise UnknownQuery(type(query))
        if after is not None:
            if route.consistency is None:
                name = type(query).__qualname__
                msg = f"query {name} has no consistency source: register it with consistency="
                raise ConfigurationError(msg)
            route.consistency.wait_for_position(after, timeout=timeout)
        return call(route.handler, query)
