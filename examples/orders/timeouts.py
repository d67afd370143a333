"""Process managers for orders: cancel an unpaid order after a timeout (ADR 0021).

``unpaid_orders`` schedules a deadline when an order is created and completes when the
order ships or is cancelled; a deadline that fires first sends ``CancelOrder``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from examples.orders.commands import CancelOrder
from examples.orders.events import OrderCancelled, OrderCreated, OrderShipped
from fabula.domain import Recorded
from fabula.flows import Deadline, ProcessContext, ProcessManager

__all__ = ["PAYMENT_TIMEOUT", "unpaid_orders"]

PAYMENT_TIMEOUT = timedelta(minutes=15)


def _order_id(event: Any) -> str | None:
    order_id = getattr(event, "order_id", None)
    return order_id if isinstance(order_id, str) else None


unpaid_orders = ProcessManager("unpaid-orders", correlate=_order_id)


@unpaid_orders.on(OrderCreated)
def _created(context: ProcessContext, recorded: Recorded[Any]) -> None:
    context.state["order_id"] = recorded.event.order_id
    context.schedule("unpaid", after=PAYMENT_TIMEOUT)


@unpaid_orders.on(OrderShipped, OrderCancelled)
def _settled(context: ProcessContext, recorded: Recorded[Any]) -> None:
    context.complete()


@unpaid_orders.on_deadline
def _timed_out(context: ProcessContext, deadline: Deadline) -> None:
    context.send(CancelOrder(order_id=context.state["order_id"], reason="not paid in time"))
    context.complete()
