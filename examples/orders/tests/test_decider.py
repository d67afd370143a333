"""Every order command on every state, with the seed's rules and fabula's (section F)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from examples.orders import (
    CancelOrder,
    CannotCancel,
    CannotShip,
    CreateOrder,
    EmptyOrder,
    InvalidItem,
    Order,
    OrderAlreadyExists,
    OrderCancelled,
    OrderCreated,
    OrderItem,
    OrderNotFound,
    OrderShipped,
    OrderStatus,
    ShipOrder,
    order,
    stream_id,
    stream_of,
)
from fabula.testing import DeciderSpec

ID = "o1"
MUG = OrderItem(product_id="mug", quantity=2, price=Decimal("9.99"))
TEA = OrderItem(product_id="tea", quantity=3, price=Decimal("0.10"))
CREATED = OrderCreated(order_id=ID, customer_id="c1", items=(MUG, TEA), total=Decimal("20.28"))

spec = DeciderSpec(order)
placed = spec.given(CREATED)
cancelled = placed.given(OrderCancelled(order_id=ID, reason="changed my mind"))
shipped = placed.given(OrderShipped(order_id=ID, tracking_number="TRK1"))


def test_create_sums_quantity_times_price() -> None:
    spec.when(CreateOrder(order_id=ID, customer_id="c1", items=(MUG, TEA))).then(
        CREATED
    ).then_state(
        Order(
            order_id=ID,
            customer_id="c1",
            items=(MUG, TEA),
            total=Decimal("20.28"),
            status=OrderStatus.PENDING,
        )
    )


def test_create_twice_is_refused() -> None:
    placed.when(CreateOrder(order_id=ID, customer_id="c1", items=(MUG,))).then_raises(
        OrderAlreadyExists, code="order_already_exists"
    )


def test_an_order_needs_items() -> None:
    spec.when(CreateOrder(order_id=ID, customer_id="c1", items=())).then_raises(
        EmptyOrder, code="empty_order", message="an order needs at least one item"
    )


@pytest.mark.parametrize(
    "item",
    [
        OrderItem(product_id="mug", quantity=0, price=Decimal(1)),
        OrderItem(product_id="mug", quantity=1, price=Decimal("-0.01")),
    ],
)
def test_items_need_a_quantity_and_a_price(item: OrderItem) -> None:
    error = spec.when(CreateOrder(order_id=ID, customer_id="c1", items=(TEA, item))).then_raises(
        InvalidItem, code="invalid_item"
    )
    assert error.params == {"index": 1, "product_id": "mug"}


def test_a_free_item_is_fine() -> None:
    free = OrderItem(product_id="sticker", quantity=1, price=Decimal(0))
    spec.when(CreateOrder(order_id=ID, customer_id="c1", items=(free,))).then(
        OrderCreated(order_id=ID, customer_id="c1", items=(free,), total=Decimal(0))
    )


def test_cancel_a_pending_order() -> None:
    placed.when(CancelOrder(order_id=ID, reason="changed my mind")).then(
        OrderCancelled(order_id=ID, reason="changed my mind")
    ).then_state(
        Order(
            order_id=ID,
            customer_id="c1",
            items=(MUG, TEA),
            total=Decimal("20.28"),
            status=OrderStatus.CANCELLED,
        )
    )


@pytest.mark.parametrize("given", [cancelled, shipped], ids=["cancelled", "shipped"])
def test_only_pending_orders_can_be_cancelled(given: DeciderSpec[object, object, object]) -> None:
    given.when(CancelOrder(order_id=ID, reason="too late")).then_raises(
        CannotCancel, code="cannot_cancel", message="Can only cancel pending orders"
    )


def test_ship_a_pending_order() -> None:
    placed.when(ShipOrder(order_id=ID, tracking_number="TRK1")).then(
        OrderShipped(order_id=ID, tracking_number="TRK1")
    )
    assert placed.when(ShipOrder(order_id=ID, tracking_number="TRK1")).state() == Order(
        order_id=ID,
        customer_id="c1",
        items=(MUG, TEA),
        total=Decimal("20.28"),
        status=OrderStatus.SHIPPED,
    )


@pytest.mark.parametrize("given", [cancelled, shipped], ids=["cancelled", "shipped"])
def test_only_pending_orders_can_be_shipped(given: DeciderSpec[object, object, object]) -> None:
    given.when(ShipOrder(order_id=ID, tracking_number="TRK2")).then_raises(
        CannotShip, code="cannot_ship", message="Can only ship pending orders"
    )


@pytest.mark.parametrize(
    "command",
    [CancelOrder(order_id=ID, reason="x"), ShipOrder(order_id=ID, tracking_number="x")],
)
def test_commands_on_a_missing_order_are_refused(command: CancelOrder | ShipOrder) -> None:
    error = spec.when(command).then_raises(OrderNotFound, message="Order not found")
    assert error.params == {"order_id": ID}


def test_events_that_do_not_apply_leave_the_state_alone() -> None:
    other = OrderCreated(order_id=ID, customer_id="c2", items=(TEA,), total=Decimal("0.30"))
    assert placed.given(other).given_state() == placed.given_state()
    assert spec.given(OrderShipped(order_id=ID, tracking_number="x")).given_state() == (
        spec.given_state()
    )


def test_streams() -> None:
    assert stream_id(ID) == "order-o1"
    assert stream_of(ShipOrder(order_id=ID, tracking_number="x")) == "order-o1"
