"""Process managers in telemetry: a span per step in its event's trace, deadline spans, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from examples.orders.commands import CancelOrder, CreateOrder, ShipOrder
from examples.orders.decider import order, stream_id, stream_of
from examples.orders.events import EVENTS, OrderCreated
from examples.orders.timeouts import PAYMENT_TIMEOUT, unpaid_orders
from examples.orders.values import OrderItem
from fabula.app import AsyncFlow, Flow
from fabula.codec import EventRegistry, decode_recorded
from fabula.flows import AsyncProcessWorker, ProcessContext, ProcessManager, ProcessWorker
from fabula.otel import uninstrument
from fabula.read import AsyncProjectionRunner, ProjectionRunner
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.store import AsyncEventStore, EventStore
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore
from fabula.testing import FakeClock
from tests.unit.otel.tracing import Tracing, ids_of

START = datetime(2026, 1, 1, tzinfo=UTC)
ITEMS = (OrderItem(product_id="A-1", quantity=1, price=Decimal("2.50")),)

ship = ProcessManager("ship", correlate=lambda event: getattr(event, "order_id", None))


@ship.on(OrderCreated)
def _ship(context: ProcessContext, recorded: Any) -> None:
    context.send(ShipOrder(order_id=recorded.event.order_id, tracking_number="T1"))


@ship.compensate(ShipOrder)
def _undo(context: ProcessContext, command: ShipOrder, error: Exception) -> None:
    context.state["refused"] = type(error).__name__


broken = ProcessManager("broken", correlate=lambda event: getattr(event, "order_id", None))


@broken.on(OrderCreated)
def _fail(context: ProcessContext, recorded: Any) -> None:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _no_telemetry_left() -> Iterator[None]:
    yield
    uninstrument()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    made: EventStore
    if request.param == "memory":
        made = MemoryStore()
    elif request.param == "sqlite":
        made = SqliteStore(str(tmp_path / "s.db"))
    else:
        from fabula.store.postgres import PostgresStore

        made = PostgresStore.from_url(request.getfixturevalue("postgres_schema_url"))
    yield made
    made.close()


def _registry() -> EventRegistry:
    registry = EventRegistry()
    for event in EVENTS:
        registry.register(event)
    return registry


def _flow(store: EventStore) -> Flow:
    flow = Flow(store, registry=_registry())
    flow.register(order, stream_id=stream_of)
    return flow


def _counts(tracing: Tracing, metric: str) -> dict[tuple[str, ...], Any]:
    return {tuple(str(v) for v in p.values()): n for p, n in tracing.points(metric)}


def _attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_a_step_run_by_a_runner_is_in_its_event_trace(store: EventStore) -> None:
    flow = _flow(store)
    with Tracing() as writer:
        flow.dispatch(CreateOrder(order_id="o1", customer_id="c", items=ITEMS))
    (append,) = writer.named("fabula.append")
    worker = ProcessWorker(ship, flow, clock=FakeClock(START))
    with Tracing() as tracing:
        ProjectionRunner(flow, worker, target=MemoryTarget()).run_until_caught_up()
    (react,) = [s for s in tracing.named("fabula.react") if s.parent is not None]
    (step,) = tracing.named("fabula.process")
    (dispatch,) = tracing.named("fabula.dispatch")
    assert step.name == "fabula.process ship"
    assert ids_of(step)[0] == ids_of(append)[0]  # the trace of the event that caused it
    assert step.parent is not None
    assert step.parent.span_id == ids_of(react)[1]
    assert dispatch.name == "fabula.dispatch ShipOrder"
    assert dispatch.parent is not None
    assert dispatch.parent.span_id == ids_of(step)[1]
    created = store.read_stream(stream_id("o1"))[0]
    assert _attributes(step) == {
        "fabula.process.manager": "ship",
        "fabula.process.id": "o1",
        "fabula.event.type": created.type,
        "fabula.position": created.position,
        "fabula.process.commands": 1,
        "fabula.process.deadlines.scheduled": 0,
        "fabula.process.deadlines.pending": 0,
        "fabula.process.done": False,
    }
    assert _counts(tracing, "fabula.process.steps") == {("ship", "event", "ok"): 1}
    assert _counts(tracing, "fabula.process.commands") == {("ship",): 1}


def test_a_fired_deadline_has_its_own_span_around_its_step(store: EventStore) -> None:
    flow = _flow(store)
    clock = FakeClock(START)
    worker = ProcessWorker(unpaid_orders, flow, clock=clock)
    with Tracing() as tracing:
        flow.dispatch(CreateOrder(order_id="o2", customer_id="c", items=ITEMS))
        worker.handle(decode_recorded(flow.registry, store.read_stream(stream_id("o2"))[0]))
        clock.advance(PAYMENT_TIMEOUT)
        assert worker.fire_due() == 1
    (append, _) = tracing.named("fabula.append")  # the order's creation, then its cancel
    created, fired = tracing.named("fabula.process")
    (deadline,) = tracing.named("fabula.deadline")
    # Called without a runner, the event's step is a child of the span that wrote it.
    assert created.parent is not None
    assert created.parent.span_id == ids_of(append)[1]
    assert _attributes(created)["fabula.process.deadlines.scheduled"] == 1
    assert deadline.name == "fabula.deadline unpaid-orders"
    assert deadline.parent is None  # time caused it: a trace of its own
    assert _attributes(deadline) == {
        "fabula.process.manager": "unpaid-orders",
        "fabula.process.id": "o2",
        "fabula.deadline.key": "unpaid",
        "fabula.deadline.due": (START + PAYMENT_TIMEOUT).isoformat(),
    }
    assert fired.parent is not None
    assert fired.parent.span_id == ids_of(deadline)[1]
    assert _attributes(fired)["fabula.process.commands"] == 1
    assert _attributes(fired)["fabula.process.done"] is True
    (cancel,) = [s for s in tracing.named("fabula.dispatch") if s.name.endswith("CancelOrder")]
    assert cancel.parent is not None
    assert cancel.parent.span_id == ids_of(fired)[1]
    assert _counts(tracing, "fabula.process.steps") == {
        ("unpaid-orders", "event", "ok"): 1,
        ("unpaid-orders", "deadline", "ok"): 1,
    }
    assert _counts(tracing, "fabula.process.deadlines.fired") == {("unpaid-orders",): 1}


def test_compensations_skipped_and_failed_steps_are_counted(store: EventStore) -> None:
    flow = _flow(store)
    flow.dispatch(CreateOrder(order_id="o3", customer_id="c", items=ITEMS))
    flow.dispatch(CancelOrder(order_id="o3", reason="customer"))
    created = decode_recorded(flow.registry, store.read_stream(stream_id("o3"))[0])
    shipper = ProcessWorker(ship, flow, clock=FakeClock(START))
    failing = ProcessWorker(broken, flow, clock=FakeClock(START))
    with Tracing() as tracing:
        shipper.handle(created)  # ShipOrder is refused: the compensation runs
        shipper.handle(created)  # redelivered: skipped
        with pytest.raises(RuntimeError, match="boom"):
            failing.handle(created)
    assert _counts(tracing, "fabula.process.compensations") == {("ship", "ShipOrder"): 1}
    assert _counts(tracing, "fabula.process.steps") == {
        ("ship", "event", "ok"): 1,
        ("ship", "event", "skipped"): 1,
        ("broken", "event", "failed"): 1,
    }
    assert _counts(tracing, "fabula.process.failures") == {("broken", "event"): 1}
    (failed,) = [s for s in tracing.named("fabula.process") if s.name.endswith("broken")]
    assert failed.status.status_code is StatusCode.ERROR


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_asyncio_worker_traces_alike(backend: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        store: AsyncEventStore
        if backend == "memory":
            store = AsyncMemoryStore()
        else:
            store = AsyncSqliteStore(str(tmp_path / "s.db"))
        flow = AsyncFlow(store, registry=_registry())
        flow.register(order, stream_id=stream_of)
        clock = FakeClock(START)
        shipper = AsyncProcessWorker(ship, flow, clock=clock)
        timer = AsyncProcessWorker(unpaid_orders, flow, clock=clock)
        with Tracing() as tracing:
            await flow.dispatch(CreateOrder(order_id="o5", customer_id="c", items=ITEMS))
            await flow.dispatch(CreateOrder(order_id="o6", customer_id="c", items=ITEMS))
            await AsyncProjectionRunner(
                flow, shipper, target=AsyncMemoryTarget()
            ).run_until_caught_up()
            await AsyncProjectionRunner(
                flow, timer, target=AsyncMemoryTarget()
            ).run_until_caught_up()
            clock.advance(PAYMENT_TIMEOUT)
            assert await timer.fire_due() == 0  # both shipped: the processes completed
        appends = {ids_of(s)[0] for s in tracing.named("fabula.append")}
        steps = tracing.named("fabula.process")
        assert {ids_of(s)[0] for s in steps} <= appends
        assert all(s.parent is not None for s in steps)
        assert _counts(tracing, "fabula.process.steps") == {
            ("ship", "event", "ok"): 2,
            ("unpaid-orders", "event", "ok"): 4,  # created, then shipped, for each order
        }
        assert _counts(tracing, "fabula.process.commands") == {("ship",): 2}
        assert not tracing.named("fabula.deadline")
        await store.close()

    asyncio.run(scenario())
