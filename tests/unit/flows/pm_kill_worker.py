"""A deadline worker process for the kill -9 test: it dies right after dispatching."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime

from examples.orders.decider import order, stream_of
from examples.orders.events import EVENTS
from examples.orders.timeouts import unpaid_orders
from fabula.app import CallNext, CommandContext, DispatchResult, Flow, Idempotency
from fabula.codec import EventRegistry
from fabula.flows import ProcessWorker
from fabula.store.sqlite import SqliteStore
from fabula.testing import FakeClock


def _die_after(context: CommandContext, call_next: CallNext) -> DispatchResult:
    result = call_next(context)
    os.kill(os.getpid(), signal.SIGKILL)  # the command is committed, the step is not
    return result


def main() -> None:
    path, now = sys.argv[1], datetime.fromisoformat(sys.argv[2])
    store = SqliteStore(path)
    registry = EventRegistry()
    for event in EVENTS:
        registry.register(event)
    flow = Flow(store, registry=registry, middleware=[_die_after, Idempotency(store, registry)])
    flow.register(order, stream_id=stream_of)
    ProcessWorker(unpaid_orders, flow, clock=FakeClock(now)).fire_due()


if __name__ == "__main__":
    main()
