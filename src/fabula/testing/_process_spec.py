"""``ProcessSpec``: given/when/then for a process manager, with a fake clock (ADR 0021).

Events are delivered to a ``ProcessWorker`` over an in-memory store; the commands it
dispatches are captured (not run), and ``refuse`` makes chosen command types fail
with a ``DomainError`` so compensations can be tested::

    spec = ProcessSpec(unpaid_orders, start=START)
    spec.given(OrderCreated(...)).advance(timedelta(minutes=15))
    spec.then_dispatched(CancelOrder(order_id="o1", reason="not paid in time"))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from fabula._errors import DomainError
from fabula._ids import uuid7
from fabula.app import CallNext, CommandContext, DispatchResult, Flow
from fabula.domain import recorded
from fabula.testing._clock import FakeClock

if TYPE_CHECKING:  # the flows and the memory store load on first use (the plugin stays light)
    from fabula.flows import Deadline, ProcessManager, ProcessWorker

__all__ = ["ProcessSpec"]


class _Capture:
    """Middleware that records each command and runs none (or refuses it)."""

    def __init__(self, refuse: Mapping[type, Callable[[Any], DomainError]]) -> None:
        self.refuse = refuse
        self.sent: list[object] = []

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        make = self.refuse.get(type(context.command))
        if make is not None:
            raise make(context.command)
        self.sent.append(context.command)
        return DispatchResult(stream_id="", version=0, events=(), command_id=context.command_id)


class ProcessSpec:
    """Given events, when an event arrives or time advances, then commands and deadlines."""

    def __init__(
        self,
        manager: ProcessManager,
        /,
        *,
        start: datetime,
        refuse: Mapping[type, Callable[[Any], DomainError]] | None = None,
    ) -> None:
        from fabula.flows import ProcessWorker
        from fabula.store.memory import MemoryStore

        self.clock: FakeClock = FakeClock(start)
        self._capture = _Capture(refuse or {})
        self.worker: ProcessWorker = ProcessWorker(
            manager, Flow(MemoryStore(), middleware=[self._capture]), clock=self.clock
        )
        self._position = 0
        self._seen = 0

    def given(self, *events: object) -> Self:
        """Deliver ``events`` in order; what they dispatch is not checked."""
        self.when(*events)
        self._seen = len(self._capture.sent)
        return self

    def when(self, *events: object) -> Self:
        """Deliver ``events`` in order."""
        for event in events:
            self._position += 1
            envelope = recorded(
                event,
                stream_id="spec",
                version=self._position,
                position=self._position,
                event_id=uuid7(),
                type=type(event).__name__,
                recorded_at=self.clock.now(),
                causation_id=None,
                correlation_id=None,
                metadata={},
            )
            self.worker.handle(envelope)
        return self

    def advance(self, delta: timedelta, /) -> Self:
        """Move the clock forward by ``delta`` and fire the deadlines then due."""
        self.clock.advance(delta)
        self.worker.fire_due()
        return self

    @property
    def dispatched(self) -> list[object]:
        """The commands dispatched since ``given`` (or the last ``then_dispatched``)."""
        return self._capture.sent[self._seen :]

    def then_dispatched(self, *commands: object) -> Self:
        """Assert exactly ``commands`` were dispatched since the last check."""
        got = self.dispatched
        assert got == list(commands), f"dispatched {got!r}, expected {list(commands)!r}"
        self._seen = len(self._capture.sent)
        return self

    def then_scheduled(self, process_id: str, *keys: str) -> Self:
        """Assert the process's pending deadlines are exactly ``keys``."""
        got = sorted(self.deadlines(process_id))
        assert got == sorted(keys), f"scheduled {got!r}, expected {sorted(keys)!r}"
        return self

    def deadlines(self, process_id: str, /) -> dict[str, Deadline]:
        """The pending deadlines of one process."""
        return self.worker.deadlines(process_id)

    def state(self, process_id: str, /) -> dict[str, Any]:
        """The stored state of one process."""
        return self.worker.state(process_id)
