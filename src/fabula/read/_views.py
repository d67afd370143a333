"""``View``: fold one stream's events into a value, on demand, when a query asks for it.

For aggregates with few events there is no need for a stored read model: read the
stream and fold it (Estoria's "simple projection")::

    summary = View(AccountView)

    @summary.on(BalanceChanged)
    def changed(view: AccountView, event: Recorded[BalanceChanged]) -> AccountView:
        return AccountView(view.balance + event.event.amount, last_updated=event.recorded_at)

    view = summary.fold(store.read_stream("account-42"))            # sync
    view = summary.fold(await async_store.read_stream("account-42"))  # asyncio

Rules:
1. Handlers get the event with its envelope (``Recorded``): time, version, metadata.
2. A handler returns the new value, or ``None`` after changing the value in place.
3. Events of classes without a handler are passed over without being decoded; events
   of handled classes that do not decode raise ``CodecError`` (never skipped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from fabula.codec import EventRegistry, decode_records
from fabula.domain import Recorded
from fabula.read._handlers import HandlerTable
from fabula.store import StoredEvent

__all__ = ["View", "ViewHandler"]

StateT = TypeVar("StateT")
ViewHandler = Callable[[Any, Recorded[Any]], Any]
"""``handler(view, recorded)``: return the next view (or ``None`` if changed in place)."""

HandlerT = TypeVar("HandlerT", bound=ViewHandler)


class View(Generic[StateT]):
    """A fold of one stream's events into a value, built on demand.

    Args:
        initial: makes the value before any event (a class, or any function).
        registry: decodes events (default: a registry of the handled classes).
    """

    def __init__(
        self, initial: Callable[[], StateT], /, *, registry: EventRegistry | None = None
    ) -> None:
        self._initial = initial
        self.registry: EventRegistry = registry if registry is not None else EventRegistry()
        self._handlers: HandlerTable[ViewHandler] = HandlerTable(f"view {initial!r}")
        self._by_class: dict[type, ViewHandler] = {}

    def on(self, *event_types: type) -> Callable[[HandlerT], HandlerT]:
        """Register the decorated function as the handler of ``event_types``."""

        def register(handler: HandlerT) -> HandlerT:
            self._handlers.add(event_types, handler, batch=True)
            for cls in event_types:
                self.registry.register(cls)
                self._by_class[cls] = handler
            return handler

        return register

    def fold(self, records: Iterable[StoredEvent], /, *, start: StateT | None = None) -> StateT:
        """Fold stored events (``store.read_stream(...)``) into the value."""
        names = self.registry.stored_names(self._handlers.event_types)
        kept = [record for record in records if record.type in names]
        return self.fold_recorded(decode_records(self.registry, kept), start=start)

    def fold_recorded(
        self, events: Iterable[Recorded[Any]], /, *, start: StateT | None = None
    ) -> StateT:
        """Fold events already decoded (``repository.history(...)``) into the value."""
        state = self._initial() if start is None else start
        for recorded in events:
            handler = self._by_class.get(type(recorded.event))
            if handler is not None:
                state = _next(state, handler(state, recorded))
        return state


def _next(state: StateT, result: StateT | None) -> StateT:
    return state if result is None else result
