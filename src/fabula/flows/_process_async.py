"""``AsyncProcessWorker``: runs a ``ProcessManager`` for events and for due deadlines.

It is a ``fabula.read.running.Consumer`` (not transactional, like ``Reaction``): a
runner feeds it events; ``fire_due()`` fires the deadlines that are due (call it in a loop;
several workers may: a conflict makes the loser's step a no-op). Each trigger (an event
or a deadline) is one step:

1. load the process's last snapshot; a trigger it already handled is skipped;
2. run the handler on a copy of the state; dispatch the commands it sent with ids
   derived from the trigger (a redelivery dispatches the same ids: deduplicated); a
   command refused with a ``DomainError`` runs the declared compensation;
3. append the new snapshot at the version read (a conflict retries the step).

A crash between 2 and 3 runs the step again: at least once, idempotent in effect.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fabula._errors import ConcurrencyError, DomainError
from fabula._telemetry import hooks
from fabula.app import AsyncFlow, caused_by
from fabula.domain import Recorded
from fabula.flows._process_base import (
    STEP_TYPE,
    Clock,
    Deadline,
    ProcessContext,
    ProcessManager,
    Snapshot,
    SystemClock,
    deadline_trigger,
)
from fabula.flows._process_traced import StepTrace
from fabula.read import AsyncLeases, SetupHook
from fabula.read.running import Entry, Handler, HandlerTable
from fabula.store import ExpectedVersion, StoredEvent

__all__ = ["AsyncProcessWorker"]


class AsyncProcessWorker:
    """Runs ``manager`` over ``flow``: a consumer for runners, and a deadline firer."""

    batch_size: int = 1
    setup_hooks: tuple[SetupHook, ...] = ()

    def __init__(
        self, manager: ProcessManager, flow: AsyncFlow, /, *, clock: Clock | None = None
    ) -> None:
        self.manager: ProcessManager = manager
        self.flow: AsyncFlow = flow
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.name: str = f"process-{manager.name}"
        self._handlers: HandlerTable[Any] = HandlerTable(f"process manager {manager.name!r}")
        for event_type, handler in manager.handlers.items():
            self._handlers.add((event_type,), handler, batch=False)
        self._latest: dict[str, StoredEvent] = {}
        self._after = 0

    @property
    def transactional(self) -> bool:
        """Always ``False``: steps act outside the runner's commit (at least once)."""
        return False

    @property
    def handlers(self) -> HandlerTable[Any]:
        """The handled event classes."""
        return self._handlers

    def entry(self, event_type: type, /) -> Entry[Handler]:
        """``handler(tx, recorded)`` as the runner calls it."""
        self._handlers.get(event_type)

        def deliver(tx: object, recorded: Recorded[Any], /) -> object:
            return self._deliver(recorded)

        return Entry(deliver, batch=False)

    async def _deliver(self, recorded: Recorded[Any]) -> object:
        await self.handle(recorded)
        return None

    async def handle(self, recorded: Recorded[Any], /) -> None:
        """Run the step of one event (skipped if its process already handled it)."""
        handler = self.manager.handlers.get(type(recorded.event))
        process_id = self.manager.correlate(recorded.event)
        if handler is None or process_id is None:
            return

        def run(context: ProcessContext) -> None:
            handler(context, recorded)

        telemetry = hooks.active
        trace = None
        if telemetry is not None:
            trace = StepTrace.of_event(telemetry, self.manager.name, process_id, recorded)
        with caused_by(recorded):
            await self._step(process_id, str(recorded.event_id), run, trace)

    async def fire_due(self) -> int:
        """Fire every deadline due now; return how many steps ran."""
        fired = 0
        handler = self.manager.deadline_handler
        if handler is None:
            return 0
        for process_id, deadline in await self.due():

            def run(
                context: ProcessContext, deadline: Deadline = deadline, handler: Any = handler
            ) -> None:
                if context.deadlines.get(deadline.key) != deadline:
                    return  # cancelled or moved since read
                del context.deadlines[deadline.key]
                handler(context, deadline)

            telemetry = hooks.active
            trace = None
            if telemetry is not None:
                trace = StepTrace.of_deadline(telemetry, self.manager.name, process_id, deadline)
            if await self._step(process_id, deadline_trigger(deadline), run, trace):
                fired += 1
        return fired

    async def fire_due_leased(
        self, leases: AsyncLeases, owner: str, /, *, ttl: float = 30.0
    ) -> int | None:
        """Fire due deadlines only while ``owner`` holds the lease of ``deadline_lease``.

        ``leases`` is a read-model target (the read side's lease machinery): one worker
        fires a manager's deadlines at a time; another takes over when its lease expires.
        Returns ``None`` when another worker holds the lease.
        """
        if not await leases.acquire_lease(self.deadline_lease, owner, ttl=ttl):
            return None
        return await self.fire_due()

    @property
    def deadline_lease(self) -> str:
        """The lease name deadline workers of this manager share."""
        return f"{self.name}-deadlines"

    async def due(self) -> list[tuple[str, Deadline]]:
        """The pending deadlines due now, per process id (read from the store)."""
        store = self.flow.store
        while True:
            page = await store.read_all(after=self._after, limit=500, types=[STEP_TYPE])
            if not page:
                break
            for stored in page:
                self._latest[stored.stream_id] = stored
            self._after = page[-1].position
        prefix = self.manager.stream_id("")
        now = self.clock.now()
        found: list[tuple[str, Deadline]] = []
        for stream_id, last in self._latest.items():
            if not stream_id.startswith(prefix) or f'"manager": "{self.manager.name}"' not in (
                last.data
            ):
                continue  # another manager's process (a name that extends this one's)
            process_id = stream_id.removeprefix(prefix)
            snapshot = Snapshot.load(self.manager, process_id, last)
            found.extend((process_id, d) for d in snapshot.deadlines.values() if d.due <= now)
        return sorted(found, key=lambda item: item[1].due)

    async def state(self, process_id: str, /) -> dict[str, Any]:
        """The stored state of one process (the initial state if it has none)."""
        return (await self._load(process_id)).state

    async def deadlines(self, process_id: str, /) -> dict[str, Deadline]:
        """The pending deadlines of one process."""
        return (await self._load(process_id)).deadlines

    async def _load(self, process_id: str) -> Snapshot:
        stream_id = self.manager.stream_id(process_id)
        last = await self.flow.store.read_stream(stream_id, direction="backwards", limit=1)
        return Snapshot.load(self.manager, process_id, last[0] if last else None)

    async def _step(self, process_id: str, trigger: str, run: Any, trace: StepTrace | None) -> bool:
        """Run one step, in its span when telemetry is active (``_process_traced.py``)."""
        if trace is None:
            return await self._attempts(process_id, trigger, run, None)
        with trace.span():
            return await self._attempts(process_id, trigger, run, trace)

    async def _attempts(
        self, process_id: str, trigger: str, run: Any, trace: StepTrace | None
    ) -> bool:
        while True:
            snapshot = await self._load(process_id)
            if snapshot.done or trigger in snapshot.triggers:
                if trace is not None:
                    trace.skipped()
                return False
            context = snapshot.context(self.clock.now())
            run(context)
            await self._dispatch(context, trigger, trace)
            if trace is not None:
                trace.ran(context, snapshot.deadlines)
            with contextlib.suppress(ConcurrencyError):
                await self.flow.store.append(
                    self.manager.stream_id(process_id),
                    [snapshot.step(self.manager, context, trigger)],
                    precondition=ExpectedVersion(snapshot.version),
                )
                return True

    async def _dispatch(
        self, context: ProcessContext, trigger: str, trace: StepTrace | None
    ) -> None:
        manager = self.manager
        index = 0
        while index < len(context.commands):
            command = context.commands[index]
            command_id = manager.command_id(context.process_id, trigger, str(index))
            index += 1
            try:
                await self.flow.dispatch(command, command_id=command_id)
            except DomainError as error:
                compensation = manager.compensations.get(type(command))
                if compensation is None:
                    raise
                if trace is not None:
                    trace.compensated(command)
                compensation(context, command, error)
