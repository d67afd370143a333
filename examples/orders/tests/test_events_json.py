"""Order events keep the seed's type names and camelCase JSON payloads (section F)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from examples.orders import (
    EVENTS,
    OrderCancelled,
    OrderCreated,
    OrderItem,
    OrderShipped,
)
from fabula.codec import EventRegistry

CREATED = OrderCreated(
    order_id="o1",
    customer_id="c1",
    items=(OrderItem(product_id="mug", quantity=2, price=Decimal("9.99")),),
    total=Decimal("19.98"),
)


@pytest.mark.parametrize(
    ("value", "name", "payload"),
    [
        (
            CREATED,
            "OrderCreated",
            '{"orderId":"o1","customerId":"c1",'
            '"items":[{"productId":"mug","quantity":2,"price":"9.99"}],"total":"19.98"}',
        ),
        (
            OrderCancelled(order_id="o1", reason="late"),
            "OrderCancelled",
            '{"orderId":"o1","reason":"late"}',
        ),
        (
            OrderShipped(order_id="o1", tracking_number="TRK1"),
            "OrderShipped",
            '{"orderId":"o1","trackingNumber":"TRK1"}',
        ),
    ],
)
def test_pinned_json(value: object, name: str, payload: str) -> None:
    registry = EventRegistry(EVENTS)
    assert registry.encode(value) == (name, 1, payload)
    assert registry.decode(name, 1, payload) == value


def test_prices_written_as_json_numbers_decode_too() -> None:
    registry = EventRegistry(EVENTS)
    payload = (
        '{"orderId":"o1","customerId":"c1",'
        '"items":[{"productId":"mug","quantity":2,"price":9.99}],"total":19.98}'
    )
    assert registry.decode("OrderCreated", 1, payload) == CREATED
