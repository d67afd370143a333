"""``Projection``: handlers per event type that keep one read model up to date.

A projection is a declaration; it does no I/O. A runner feeds it events, and a target
(``fabula.read.sqlite.SqliteTarget``, ...) opens the transaction each handler writes in::

    todo_list = Projection("todo_list", tables=["todos"])

    @todo_list.setup
    def create(tx: sqlite3.Connection) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS todos (id TEXT PRIMARY KEY, text TEXT)")

    @todo_list.on(TodoCreated)
    def created(tx: sqlite3.Connection, event: Recorded[TodoCreated]) -> None:
        tx.execute("INSERT INTO todos VALUES (?, ?)", (event.stream_id, event.event.text))

Rules:
1. ``name`` keys the checkpoint: renaming a projection starts it again from the log's start.
2. A handler writes only through ``tx`` and never commits: the target commits the handlers'
   writes and the checkpoint together, or rolls both back.
3. Handlers run in log order. Events of classes without a handler are filtered out at the
   store and the checkpoint still passes them.
4. ``tables`` lists the tables the projection owns: a rebuild empties them in place, or
   builds them in a fresh copy and swaps them in. Given as a mapping of table names to
   column definitions (``{"done": "board TEXT, title TEXT"}``), they are also created
   (``CREATE TABLE IF NOT EXISTS``) before any event, as a first setup hook would.
5. A batch handler (``on_batch``) gets the consecutive events of its classes in one
   transaction as one list, so it can write them with one statement (``executemany``).
   If that transaction fails, the runner applies its events one at a time, each in a
   list of one, to find the event at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar, cast, overload

from fabula._errors import InvalidArgument
from fabula.domain import Recorded
from fabula.read._handlers import Entry, HandlerTable, check_name
from fabula.read._tables import CreateTables

__all__ = ["BatchHandler", "Handler", "OnBatches", "OnEvents", "Projection", "SetupHook"]

Handler = Callable[[Any, Recorded[Any]], object]
"""``handler(tx, recorded)``: apply one event to the read model through ``tx``."""

BatchHandler = Callable[[Any, Sequence[Recorded[Any]]], object]
"""``handler(tx, records)``: apply consecutive events, in log order, through ``tx``."""

SetupHook = Callable[[Any], object]
"""``setup(tx)``: create the read model's tables (idempotently) in the target."""

EventT = TypeVar("EventT")
Event2T = TypeVar("Event2T")
Event3T = TypeVar("Event3T")
TxT = TypeVar("TxT")
ResultT = TypeVar("ResultT")


class OnEvents(Protocol[EventT]):
    """What ``on(A)`` returns: a decorator that checks the handler takes ``Recorded[A]``."""

    def __call__(
        self, handler: Callable[[TxT, Recorded[EventT]], ResultT], /
    ) -> Callable[[TxT, Recorded[EventT]], ResultT]: ...


class OnBatches(Protocol[EventT]):
    """What ``on_batch(A)`` returns: a decorator for a handler of ``Sequence[Recorded[A]]``."""

    def __call__(
        self, handler: Callable[[TxT, Sequence[Recorded[EventT]]], ResultT], /
    ) -> Callable[[TxT, Sequence[Recorded[EventT]]], ResultT]: ...


SetupT = TypeVar("SetupT", bound=SetupHook)


class Projection:
    """Handlers per event class that update one read model, with one checkpoint.

    Args:
        name: the checkpoint key (letters, digits and ``_``; at most 48).
        tables: the tables this projection owns (needed to rebuild it); a mapping of
            names to column definitions also creates them (SQL targets).
        batch_size: how many events at most share one transaction.
    """

    def __init__(
        self,
        name: str,
        /,
        *,
        tables: Iterable[str] | Mapping[str, str] = (),
        batch_size: int = 200,
    ) -> None:
        self.name: str = check_name("projection", name)
        if isinstance(tables, str):
            argument, wanted = "tables", "a collection of table names, not a bare str"
            raise InvalidArgument(argument, tables, wanted)
        self.tables: tuple[str, ...] = tuple(check_name("table", table) for table in tables)
        self.batch_size: int = max(1, batch_size)
        self._handlers: HandlerTable[Handler] = HandlerTable(f"projection {name!r}")
        self._setup: list[SetupHook] = []
        if isinstance(tables, Mapping):
            self._setup.append(CreateTables(cast("Mapping[str, str]", tables)))

    @overload
    def on(self, event_type: type[EventT], /, *, batch: bool = True) -> OnEvents[EventT]: ...
    @overload
    def on(
        self, event_type: type[EventT], other: type[Event2T], /, *, batch: bool = True
    ) -> OnEvents[EventT | Event2T]: ...
    @overload
    def on(
        self,
        event_type: type[EventT],
        other: type[Event2T],
        third: type[Event3T],
        /,
        *,
        batch: bool = True,
    ) -> OnEvents[EventT | Event2T | Event3T]: ...
    @overload
    def on(self, *event_types: type, batch: bool = True) -> OnEvents[Any]: ...
    def on(self, *event_types: type, batch: bool = True) -> OnEvents[Any]:
        """Register the decorated function as the handler of ``event_types``.

        The handler's ``recorded`` argument is checked against them: a handler of
        ``Recorded[TaskAdded]`` registered ``@on(TaskDone)`` is a type error.
        ``batch=False`` gives each such event a transaction of its own (for a handler
        that must not be rolled back together with other events' writes).
        """

        def register(
            handler: Callable[[TxT, Recorded[Any]], ResultT],
        ) -> Callable[[TxT, Recorded[Any]], ResultT]:
            self._handlers.add(event_types, handler, batch=batch)
            return handler

        return register

    @overload
    def on_batch(self, event_type: type[EventT], /) -> OnBatches[EventT]: ...
    @overload
    def on_batch(
        self, event_type: type[EventT], other: type[Event2T], /
    ) -> OnBatches[EventT | Event2T]: ...
    @overload
    def on_batch(
        self, event_type: type[EventT], other: type[Event2T], third: type[Event3T], /
    ) -> OnBatches[EventT | Event2T | Event3T]: ...
    @overload
    def on_batch(self, *event_types: type) -> OnBatches[Any]: ...
    def on_batch(self, *event_types: type) -> OnBatches[Any]:
        """Register the decorated function as the batch handler of ``event_types``.

        It is called as ``handler(tx, records)`` with every run of consecutive events of
        these classes that share a transaction (up to ``batch_size``), in log order: one
        call, so one ``executemany`` can write them all.
        """

        def register(
            handler: Callable[[TxT, Sequence[Recorded[Any]]], ResultT],
        ) -> Callable[[TxT, Sequence[Recorded[Any]]], ResultT]:
            self._handlers.add(event_types, cast("Handler", handler), batch=True, many=True)
            return handler

        return register

    def setup(self, hook: SetupT, /) -> SetupT:
        """Register a function that creates the read model's tables (run before any event)."""
        self._setup.append(hook)
        return hook

    @property
    def setup_hooks(self) -> tuple[SetupHook, ...]:
        """The setup functions, in registration order."""
        return tuple(self._setup)

    @property
    def transactional(self) -> bool:
        """Always ``True``: handlers write through the target's transaction."""
        return True

    @property
    def handlers(self) -> HandlerTable[Handler]:
        """The handler table (by event class)."""
        return self._handlers

    def entry(self, event_type: type, /) -> Entry[Handler]:
        """Return the handler entry of an event class."""
        return self._handlers.get(event_type)

    def __repr__(self) -> str:
        return f"Projection({self.name!r})"
