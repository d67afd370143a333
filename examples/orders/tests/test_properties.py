"""The order decider keeps the decider laws for any history and command (property-based)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

from examples.orders import (
    CancelOrder,
    CreateOrder,
    OrderCancelled,
    OrderCommand,
    OrderCreated,
    OrderEvent,
    OrderItem,
    OrderShipped,
    ShipOrder,
    order,
)
from fabula.testing import assert_replay_consistent

items = st.builds(
    OrderItem,
    product_id=st.sampled_from(["mug", "tea"]),
    quantity=st.integers(-1, 3),
    price=st.decimals(min_value=-1, max_value=20, places=2, allow_nan=False),
)
events: st.SearchStrategy[OrderEvent] = st.one_of(
    st.builds(
        OrderCreated,
        order_id=st.just("o"),
        customer_id=st.just("c"),
        items=st.tuples(items),
        total=st.just(Decimal(1)),
    ),
    st.builds(OrderCancelled, order_id=st.just("o"), reason=st.just("r")),
    st.builds(OrderShipped, order_id=st.just("o"), tracking_number=st.just("t")),
)
commands: st.SearchStrategy[OrderCommand] = st.one_of(
    st.builds(
        CreateOrder,
        order_id=st.just("o"),
        customer_id=st.just("c"),
        items=st.lists(items, max_size=3).map(tuple),
    ),
    st.builds(CancelOrder, order_id=st.just("o"), reason=st.just("r")),
    st.builds(ShipOrder, order_id=st.just("o"), tracking_number=st.just("t")),
)


@given(history=st.lists(events, max_size=6), command=commands)
def test_the_order_decider_keeps_the_laws(history: list[OrderEvent], command: OrderCommand) -> None:
    assert_replay_consistent(order, history, command)
