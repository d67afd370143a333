"""The orders example's process managers, given/when/then with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from examples.orders.commands import CancelOrder, ShipOrder
from examples.orders.errors import CannotShip
from examples.orders.events import OrderCreated, OrderShipped
from examples.orders.shipping import shipping
from examples.orders.timeouts import PAYMENT_TIMEOUT, unpaid_orders
from examples.orders.values import OrderItem
from fabula.testing import ProcessSpec

START = datetime(2026, 1, 1, tzinfo=UTC)
ITEM = OrderItem(product_id="A-1", quantity=1, price=Decimal("2.50"))
CREATED = OrderCreated(order_id="o1", customer_id="c1", items=(ITEM,), total=Decimal("2.50"))


def test_an_unpaid_order_is_cancelled_after_the_timeout() -> None:
    spec = ProcessSpec(unpaid_orders, start=START).given(CREATED)
    spec.advance(PAYMENT_TIMEOUT)
    spec.then_dispatched(CancelOrder(order_id="o1", reason="not paid in time"))


def test_a_shipped_order_is_not_cancelled() -> None:
    spec = ProcessSpec(unpaid_orders, start=START).given(CREATED)
    spec.when(OrderShipped(order_id="o1", tracking_number="T")).then_scheduled("o1")
    spec.advance(PAYMENT_TIMEOUT * 2).then_dispatched()


def test_the_shipping_saga_ships() -> None:
    spec = ProcessSpec(shipping, start=START).when(CREATED)
    spec.then_dispatched(ShipOrder(order_id="o1", tracking_number="TRK-o1"))
    assert spec.state("o1") == {"status": "shipping"}


def test_a_refused_shipment_is_compensated_by_a_cancel() -> None:
    spec = ProcessSpec(
        shipping,
        start=START,
        refuse={ShipOrder: lambda c: CannotShip(params={"order_id": c.order_id})},
    ).when(CREATED)
    (cancel,) = spec.dispatched
    assert isinstance(cancel, CancelOrder)
    assert cancel.reason.startswith("could not ship")
    assert spec.state("o1") == {"status": "compensated"}
    spec.advance(timedelta(days=1))
