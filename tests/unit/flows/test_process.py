"""Process managers: state per id, deadlines, cancel, compensation, redelivery (ADR 0021)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from examples.orders.commands import CancelOrder, CreateOrder, ShipOrder
from examples.orders.decider import order, stream_id, stream_of
from examples.orders.events import EVENTS, OrderCancelled, OrderCreated
from examples.orders.timeouts import PAYMENT_TIMEOUT, unpaid_orders
from examples.orders.values import OrderItem
from fabula.app import AsyncFlow, Flow
from fabula.codec import EventRegistry, decode_recorded
from fabula.flows import AsyncProcessWorker, ProcessContext, ProcessManager, ProcessWorker
from fabula.store import EventStore
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.store.sqlite import SqliteStore
from fabula.testing import FakeClock

START = datetime(2026, 1, 1, tzinfo=UTC)


def _registry() -> EventRegistry:
    registry = EventRegistry()
    for event in EVENTS:
        registry.register(event)
    return registry


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


def _flow(store: EventStore) -> Flow:
    flow = Flow(store, registry=_registry())
    flow.register(order, stream_id=stream_of)
    return flow


def _create(flow: Flow, order_id: str) -> None:
    item = OrderItem(product_id="A-1", quantity=1, price=Decimal("2.50"))
    flow.dispatch(CreateOrder(order_id=order_id, customer_id="c1", items=(item,)))


def _feed(flow: Flow, worker: ProcessWorker) -> None:
    """Deliver every stored event to the worker (as a runner would)."""
    for stored in flow.store.read_all():
        if stored.type.startswith("fabula."):
            continue
        worker.handle(decode_recorded(flow.registry, stored))


def _types(flow: Flow, order_id: str) -> list[str]:
    return [e.type for e in flow.store.read_stream(stream_id(order_id))]


def test_unpaid_order_is_cancelled_after_the_timeout_once(store: EventStore) -> None:
    clock = FakeClock(START)
    flow = _flow(store)
    worker = ProcessWorker(unpaid_orders, flow, clock=clock)
    _create(flow, "o1")
    _feed(flow, worker)
    _feed(flow, worker)  # redelivery: no second deadline, no second step
    assert list(worker.deadlines("o1")) == ["unpaid"]
    clock.advance(PAYMENT_TIMEOUT - timedelta(seconds=1))
    assert worker.fire_due() == 0
    clock.advance(timedelta(seconds=1))
    assert worker.fire_due() == 1
    assert worker.fire_due() == 0
    # a second worker (a restart) finds nothing left to fire
    assert ProcessWorker(unpaid_orders, flow, clock=clock).fire_due() == 0
    cancelled = [t for t in _types(flow, "o1") if "Cancelled" in t]
    assert len(cancelled) == 1


def test_a_settled_order_cancels_its_deadline(store: EventStore) -> None:
    clock = FakeClock(START)
    flow = _flow(store)
    worker = ProcessWorker(unpaid_orders, flow, clock=clock)
    _create(flow, "o2")
    _feed(flow, worker)
    flow.dispatch(ShipOrder(order_id="o2", tracking_number="T1"))
    _feed(flow, worker)
    assert worker.deadlines("o2") == {}
    clock.advance(PAYMENT_TIMEOUT * 2)
    assert worker.fire_due() == 0
    assert not [t for t in _types(flow, "o2") if "Cancelled" in t]


def test_a_crash_before_the_step_is_recorded_dispatches_with_the_same_id(
    store: EventStore,
) -> None:
    clock = FakeClock(START)
    flow = _flow(store)
    worker = ProcessWorker(unpaid_orders, flow, clock=clock)
    _create(flow, "o3")
    _feed(flow, worker)
    clock.advance(PAYMENT_TIMEOUT)
    ((process_id, deadline),) = worker.due()
    # the command goes out, then the worker dies before recording its step
    command_id = unpaid_orders.command_id(
        process_id, f"deadline:unpaid:{deadline.due.isoformat()}", "0"
    )
    flow.dispatch(CancelOrder(order_id="o3", reason="not paid in time"), command_id=command_id)
    assert worker.fire_due() == 1  # the retry is deduplicated by the command id
    assert len([t for t in _types(flow, "o3") if "Cancelled" in t]) == 1


saga = ProcessManager("ship-saga", correlate=lambda e: getattr(e, "order_id", None))


@saga.on(OrderCreated)
def _ship(context: ProcessContext, recorded: Any) -> None:
    context.state["tries"] = context.state.get("tries", 0) + 1
    context.send(ShipOrder(order_id=recorded.event.order_id, tracking_number="T9"))


@saga.compensate(ShipOrder)
def _undo(context: ProcessContext, command: ShipOrder, error: Exception) -> None:
    context.state["compensated"] = type(error).__name__
    context.schedule("retry-ship", after=timedelta(minutes=5), data=command.order_id)


def test_a_refused_command_runs_its_compensation(store: EventStore) -> None:
    flow = _flow(store)
    worker = ProcessWorker(saga, flow, clock=FakeClock(START))
    _create(flow, "o4")
    flow.dispatch(CancelOrder(order_id="o4", reason="customer"))
    created = decode_recorded(flow.registry, store.read_stream(stream_id("o4"))[0])
    worker.handle(created)  # ShipOrder is refused (cancelled order): compensation runs
    state = worker.state("o4")
    assert state["tries"] == 1
    assert state["compensated"] == "CannotShip"
    assert list(worker.deadlines("o4")) == ["retry-ship"]


def test_async_worker_fires_a_deadline() -> None:
    async def main() -> None:
        store = AsyncMemoryStore()
        flow = AsyncFlow(store, registry=_registry())
        flow.register(order, stream_id=stream_of)
        clock = FakeClock(START)
        worker = AsyncProcessWorker(unpaid_orders, flow, clock=clock)
        item = OrderItem(product_id="A-1", quantity=1, price=Decimal("2.50"))
        await flow.dispatch(CreateOrder(order_id="o5", customer_id="c", items=(item,)))
        (stored,) = await store.read_all()
        await worker.handle(decode_recorded(flow.registry, stored))
        clock.advance(PAYMENT_TIMEOUT)
        assert await worker.fire_due() == 1
        events = await store.read_stream(stream_id("o5"))
        assert [e for e in events if "Cancelled" in e.type]

    asyncio.run(main())


def test_cancel_after_fire_is_a_no_op() -> None:
    context = ProcessContext("p", {}, START)
    context.cancel("never")
    assert context.deadlines == {}


def test_redelivered_event_is_not_handled_twice() -> None:
    flow = _flow(MemoryStore())
    worker = ProcessWorker(saga, flow, clock=FakeClock(START))
    flow.dispatch(
        CreateOrder(
            order_id="o6",
            customer_id="c",
            items=(OrderItem(product_id="A", quantity=1, price=Decimal(1)),),
        )
    )
    created = decode_recorded(flow.registry, flow.store.read_all()[0])
    worker.handle(created)
    worker.handle(created)
    assert worker.state("o6")["tries"] == 1
    assert len([e for e in flow.store.read_all() if "Shipped" in e.type]) == 1


_ = OrderCancelled


def test_process_spec_given_when_then() -> None:
    from fabula.testing import ProcessSpec

    item = OrderItem(product_id="A", quantity=1, price=Decimal(1))
    created = OrderCreated(order_id="o7", customer_id="c", items=(item,), total=Decimal(1))
    spec = ProcessSpec(unpaid_orders, start=START).given(created)
    spec.then_scheduled("o7", "unpaid").then_dispatched()
    spec.advance(PAYMENT_TIMEOUT - timedelta(seconds=1)).then_dispatched()
    spec.advance(timedelta(seconds=1))
    spec.then_dispatched(CancelOrder(order_id="o7", reason="not paid in time"))
    spec.then_scheduled("o7")
    spec.advance(PAYMENT_TIMEOUT).then_dispatched()


def test_process_spec_refuse_runs_the_compensation() -> None:
    from examples.orders.errors import CannotShip
    from fabula.testing import ProcessSpec

    item = OrderItem(product_id="A", quantity=1, price=Decimal(1))
    created = OrderCreated(order_id="o8", customer_id="c", items=(item,), total=Decimal(1))
    spec = ProcessSpec(
        saga, start=START, refuse={ShipOrder: lambda c: CannotShip(params={"order_id": c.order_id})}
    )
    spec.when(created).then_dispatched().then_scheduled("o8", "retry-ship")
    assert spec.state("o8")["compensated"] == "CannotShip"


def test_kill_9_of_a_deadline_worker_fires_exactly_once_in_effect(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = str(tmp_path / "kill.db")
    store = SqliteStore(path)
    flow = _flow(store)
    worker = ProcessWorker(unpaid_orders, flow, clock=FakeClock(START))
    _create(flow, "o9")
    _feed(flow, worker)
    due = (START + PAYMENT_TIMEOUT).isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "tests.unit.flows.pm_kill_worker", path, due], check=False
    )
    assert done.returncode == -9
    assert len([t for t in _types(flow, "o9") if "Cancelled" in t]) == 1  # it did fire
    assert list(worker.deadlines("o9")) == ["unpaid"]  # but its step was not recorded
    restarted = ProcessWorker(unpaid_orders, _flow(store), clock=FakeClock(START + PAYMENT_TIMEOUT))
    assert restarted.fire_due() == 1
    assert restarted.deadlines("o9") == {}
    assert len([t for t in _types(flow, "o9") if "Cancelled" in t]) == 1
    store.close()


def test_runners_run_process_workers_with_causation(store: EventStore) -> None:
    from fabula.read import ProjectionRunner
    from fabula.read.memory import MemoryTarget

    flow = _flow(store)
    worker = ProcessWorker(saga, flow, clock=FakeClock(START))
    _create(flow, "r1")
    target = MemoryTarget()
    ProjectionRunner(flow, worker, target=target).run_until_caught_up()
    ProjectionRunner(flow, worker, target=target).run_until_caught_up()  # nothing redone
    assert worker.state("r1")["tries"] == 1
    events = store.read_stream(stream_id("r1"))
    created, shipped = events[0], events[1]
    assert "Shipped" in shipped.type
    assert shipped.correlation_id == created.correlation_id


def test_async_runner_runs_an_async_process_worker() -> None:
    from fabula.read import AsyncProjectionRunner
    from fabula.read.memory import AsyncMemoryTarget

    async def main() -> None:
        store = AsyncMemoryStore()
        flow = AsyncFlow(store, registry=_registry())
        flow.register(order, stream_id=stream_of)
        worker = AsyncProcessWorker(saga, flow, clock=FakeClock(START))
        item = OrderItem(product_id="A", quantity=1, price=Decimal(1))
        await flow.dispatch(CreateOrder(order_id="r2", customer_id="c", items=(item,)))
        await AsyncProjectionRunner(flow, worker, target=AsyncMemoryTarget()).run_until_caught_up()
        assert (await worker.state("r2"))["tries"] == 1
        assert [e for e in await store.read_stream(stream_id("r2")) if "Shipped" in e.type]

    asyncio.run(main())


def test_deadline_workers_take_turns_on_a_lease(store: EventStore, tmp_path: Path) -> None:
    from fabula.read.sqlite import SqliteTarget

    clock = FakeClock(START)
    flow = _flow(store)
    one = ProcessWorker(unpaid_orders, flow, clock=clock)
    two = ProcessWorker(unpaid_orders, _flow(store), clock=clock)
    _create(flow, "l1")
    _feed(flow, one)
    clock.advance(PAYMENT_TIMEOUT)
    with SqliteTarget(str(tmp_path / "leases.db")) as leases:
        assert one.fire_due_leased(leases, "one") == 1
        assert two.fire_due_leased(leases, "two") is None  # "one" holds the lease
        leases.release_lease(one.deadline_lease, "one")
        assert two.fire_due_leased(leases, "two") == 0
    assert len([t for t in _types(flow, "l1") if "Cancelled" in t]) == 1


def test_caller_mistakes_get_typed_errors() -> None:
    from fabula._errors import ConfigurationError, InvalidArgument

    context = ProcessContext("p", {}, START)
    with pytest.raises(InvalidArgument):
        context.schedule("k")
    with pytest.raises(InvalidArgument):
        context.schedule("k", at=START, after=timedelta(1))
    with pytest.raises(InvalidArgument):
        context.schedule("k", at=datetime(2026, 1, 1))
    assert context.deadlines == {}
    with pytest.raises(ConfigurationError):
        ProcessManager("bad name!", correlate=lambda e: None)
    manager = ProcessManager("twice", correlate=lambda e: None)
    manager.on(OrderCreated)(lambda c, r: None)
    with pytest.raises(ConfigurationError):
        manager.on(OrderCreated)(lambda c, r: None)
    manager.on_deadline(lambda c, d: None)
    with pytest.raises(ConfigurationError):
        manager.on_deadline(lambda c, d: None)


def test_a_manager_whose_name_extends_another_does_not_fire_its_deadlines() -> None:
    clock = FakeClock(START)
    flow = _flow(MemoryStore())
    _create(flow, "n1")
    _feed(flow, ProcessWorker(unpaid_orders, flow, clock=clock))
    unpaid = ProcessManager("unpaid", correlate=lambda e: None)
    fired: list[str] = []
    unpaid.on_deadline(lambda c, d: fired.append(d.key))
    clock.advance(PAYMENT_TIMEOUT)
    assert ProcessWorker(unpaid, flow, clock=clock).fire_due() == 0
    assert fired == []
