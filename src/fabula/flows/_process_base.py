"""Process managers: the declaration, its context and its durable snapshot (ADR 0021).

Shared by ``ProcessWorker`` and ``AsyncProcessWorker``. A ``ProcessManager`` keeps a
JSON state per correlation id; its handlers read and change ``context.state``, queue
commands (``context.send``), and schedule or cancel deadlines. Each step is stored as
one ``fabula.process.Stepped`` event in the stream ``process-<name>-<id>``.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from fabula._errors import ConfigurationError, InvalidArgument
from fabula._ids import uuid7
from fabula.domain import Recorded
from fabula.store import NewEvent, StoredEvent

__all__ = [
    "STEP_TYPE",
    "Clock",
    "Deadline",
    "ProcessContext",
    "ProcessManager",
    "SystemClock",
]

STEP_TYPE: Final = "fabula.process.Stepped"
_NAMESPACE: Final = uuid.UUID("0b7f5a62-4c1e-4f9e-8d3b-21a6c5e7f901")
_KEEP_TRIGGERS: Final = 64


class Clock(Protocol):
    """Where a process manager reads the time (``fabula.testing.FakeClock`` in tests)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The wall clock (UTC)."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A scheduled deadline: its ``key``, when it is ``due`` and the JSON ``data`` given."""

    key: str
    due: datetime
    data: Any = None


@dataclass(slots=True)
class ProcessContext:
    """What a process manager's handler sees and does for one trigger."""

    process_id: str
    state: dict[str, Any]
    now: datetime
    deadlines: dict[str, Deadline] = field(default_factory=dict[str, Deadline])
    commands: list[object] = field(default_factory=list[object])
    done: bool = False

    def send(self, command: object, /) -> None:
        """Dispatch ``command`` after the handler returns (with a stable command id)."""
        self.commands.append(command)

    def schedule(
        self,
        key: str,
        /,
        *,
        at: datetime | None = None,
        after: timedelta | None = None,
        data: Any = None,
    ) -> None:
        """Schedule the deadline ``key`` (replacing one of the same key)."""
        if (at is None) == (after is None):
            wanted = "exactly one of at= or after="
            raise InvalidArgument(argument="at", value=(at, after), wanted=wanted)
        if at is not None and at.utcoffset() is None:
            wanted = "a timezone-aware datetime"
            raise InvalidArgument(argument="at", value=at, wanted=wanted)
        due = at if at is not None else self.now + (after or timedelta())
        self.deadlines[key] = Deadline(key, due, data)

    def cancel(self, key: str, /) -> None:
        """Cancel the deadline ``key``; a no-op if it fired or was never scheduled."""
        self.deadlines.pop(key, None)

    def complete(self) -> None:
        """Mark the process finished: later events and deadlines for it are ignored."""
        self.done = True
        self.deadlines.clear()


ProcessHandler = Callable[[ProcessContext, Recorded[Any]], None]
DeadlineHandler = Callable[[ProcessContext, Deadline], None]
CompensationHandler = Callable[[ProcessContext, Any, Exception], None]


class ProcessManager:
    """Handlers that keep state per correlation id, send commands and set deadlines."""

    def __init__(
        self,
        name: str,
        /,
        *,
        correlate: Callable[[Any], str | None],
        initial: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        """``correlate(event)`` gives the process id an event belongs to (``None``: none)."""
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            msg = f"bad process manager name {name!r}"
            raise ConfigurationError(msg)
        self.name: str = name
        self.correlate: Callable[[Any], str | None] = correlate
        self.initial: Callable[[], dict[str, Any]] = initial
        self.handlers: dict[type, ProcessHandler] = {}
        self.deadline_handler: DeadlineHandler | None = None
        self.compensations: dict[type, CompensationHandler] = {}

    def on(self, *event_types: type) -> Callable[[ProcessHandler], ProcessHandler]:
        """Register ``handler(context, recorded)`` for ``event_types``."""

        def register(handler: ProcessHandler) -> ProcessHandler:
            for event_type in event_types:
                if event_type in self.handlers:
                    msg = f"{event_type.__name__} handled twice"
                    raise ConfigurationError(msg)
                self.handlers[event_type] = handler
            return handler

        return register

    def on_deadline(self, handler: DeadlineHandler, /) -> DeadlineHandler:
        """Register ``handler(context, deadline)``, called when a deadline is due."""
        if self.deadline_handler is not None:
            msg = f"process manager {self.name!r} has a deadline handler"
            raise ConfigurationError(msg)
        self.deadline_handler = handler
        return handler

    def compensate(
        self, command_type: type, /
    ) -> Callable[[CompensationHandler], CompensationHandler]:
        """Register ``handler(context, command, error)``: run when ``command_type`` is refused."""

        def register(handler: CompensationHandler) -> CompensationHandler:
            self.compensations[command_type] = handler
            return handler

        return register

    def stream_id(self, process_id: str, /) -> str:
        """The stream holding the process's steps."""
        return f"process-{self.name}-{process_id}"

    def command_id(self, process_id: str, trigger: str, index: str, /) -> uuid.UUID:
        """A command id stable across redeliveries of one trigger."""
        return uuid.uuid5(_NAMESPACE, f"{self.name}:{process_id}:{trigger}:{index}")

    def __repr__(self) -> str:
        return f"ProcessManager({self.name!r})"


@dataclass(slots=True)
class Snapshot:
    """A process's state after its last step (internal)."""

    process_id: str
    state: dict[str, Any]
    deadlines: dict[str, Deadline]
    triggers: list[str]
    done: bool
    version: int

    @classmethod
    def load(cls, manager: ProcessManager, process_id: str, last: StoredEvent | None) -> Snapshot:
        """The snapshot in ``last`` (the stream's last step), or a fresh one."""
        if last is None:
            return cls(process_id, manager.initial(), {}, [], done=False, version=0)
        data = json.loads(last.data)
        deadlines = {
            key: Deadline(key, datetime.fromisoformat(due), payload)
            for key, (due, payload) in data["deadlines"].items()
        }
        return cls(
            process_id, data["state"], deadlines, data["triggers"], data["done"], last.version
        )

    def context(self, now: datetime) -> ProcessContext:
        """A context for one trigger, on a copy of the state."""
        return ProcessContext(
            self.process_id, copy.deepcopy(self.state), now, dict(self.deadlines), done=self.done
        )

    def step(self, manager: ProcessManager, context: ProcessContext, trigger: str) -> NewEvent:
        """The event recording ``context``'s outcome for ``trigger``."""
        triggers = [*self.triggers, trigger][-_KEEP_TRIGGERS:]
        data = {
            "state": context.state,
            "deadlines": {d.key: [d.due.isoformat(), d.data] for d in context.deadlines.values()},
            "triggers": triggers,
            "done": context.done,
            "manager": manager.name,
        }
        return NewEvent(
            event_id=uuid7(),
            type=STEP_TYPE,
            data=json.dumps(data, sort_keys=True),
        )


def deadline_trigger(deadline: Deadline) -> str:
    """The trigger id of a deadline firing (stable)."""
    return f"deadline:{deadline.key}:{deadline.due.isoformat()}"
