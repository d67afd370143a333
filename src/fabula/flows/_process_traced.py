"""What a process worker reports to the active telemetry (shared by both worker twins).

Rules:
1. A step is the span ``fabula.process <manager>``: manager, process id, trigger (the
   event's type and position, or the deadline's key), then, once the handler ran, the
   commands it sent and the deadlines it scheduled. An event's step belongs to the trace
   of the event (its metadata's ``traceparent``): a child of the runner's reaction span,
   or of the writer's span when called without a runner.
2. A fired deadline is the span ``fabula.deadline <manager>`` around its step: time
   caused it, not an event, so it starts a trace of its own.
3. Every step is counted once it ends: ``ok``, ``skipped`` (already handled, or its
   process completed) or ``failed`` (an exception left it); compensations as they run.
4. The worker makes a ``StepTrace`` only when telemetry is active (rule 1 of
   ``fabula._telemetry``): without it a step costs one global read and one ``if``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fabula._telemetry import Attributes, Telemetry, carrier_of
from fabula.domain import Recorded
from fabula.flows._process_base import Deadline, ProcessContext

__all__ = ["StepTrace"]


class StepTrace:
    """The span and the measurements of one process step (rules 1-3)."""

    def __init__(
        self,
        telemetry: Telemetry,
        manager: str,
        process_id: str,
        trigger: str,
        attributes: Attributes,
        *,
        carriers: Sequence[Mapping[str, str]] = (),
        deadline: Deadline | None = None,
    ) -> None:
        self._telemetry = telemetry
        self._manager = manager
        self._trigger = trigger
        self._attributes: dict[str, Any] = {
            "fabula.process.manager": manager,
            "fabula.process.id": process_id,
            **attributes,
        }
        self._carriers = carriers
        self._deadline = deadline
        self._span: object = None
        self._commands = 0
        self._skipped = False

    @classmethod
    def of_event(
        cls, telemetry: Telemetry, manager: str, process_id: str, recorded: Recorded[Any]
    ) -> StepTrace:
        """The trace of an event's step, in the event's own trace."""
        carrier = carrier_of(recorded.metadata)
        attributes: Attributes = {
            "fabula.event.type": recorded.type,
            "fabula.position": recorded.position,
        }
        return cls(
            telemetry,
            manager,
            process_id,
            "event",
            attributes,
            carriers=[carrier] if carrier else (),
        )

    @classmethod
    def of_deadline(
        cls, telemetry: Telemetry, manager: str, process_id: str, deadline: Deadline
    ) -> StepTrace:
        """The trace of a deadline's step, inside the span of its firing."""
        attributes: Attributes = {"fabula.deadline.key": deadline.key}
        return cls(telemetry, manager, process_id, "deadline", attributes, deadline=deadline)

    @contextmanager
    def span(self) -> Iterator[None]:
        """Open the step's span (inside a deadline's span for a deadline), and count it."""
        if self._deadline is None:
            with self._step():
                yield
            return
        fired = {
            **self._attributes,
            "fabula.deadline.due": self._deadline.due.isoformat(),
        }
        with self._telemetry.span(f"fabula.deadline {self._manager}", fired), self._step():
            yield

    @contextmanager
    def _step(self) -> Iterator[None]:
        outcome = "failed"
        try:
            with self._telemetry.span(
                f"fabula.process {self._manager}", self._attributes, carriers=self._carriers
            ) as span:
                self._span = span
                yield
                outcome = "skipped" if self._skipped else "ok"
        finally:
            self._telemetry.process_step(self._manager, self._trigger, outcome, self._commands)

    def skipped(self) -> None:
        """The step had nothing to do: its process handled the trigger, or completed."""
        self._skipped = True

    def ran(self, context: ProcessContext, before: Mapping[str, Deadline]) -> None:
        """The handler ran and its commands were dispatched: say what it did."""
        self._commands = len(context.commands)
        scheduled = sum(1 for key, d in context.deadlines.items() if before.get(key) != d)
        self._telemetry.annotate(
            self._span,
            {
                "fabula.process.commands": self._commands,
                "fabula.process.deadlines.scheduled": scheduled,
                "fabula.process.deadlines.pending": len(context.deadlines),
                "fabula.process.done": context.done,
            },
        )

    def compensated(self, command: object) -> None:
        """A refused command ran its compensation."""
        self._telemetry.compensated(self._manager, type(command).__name__)
