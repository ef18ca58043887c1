"""Order events as the orders service publishes them, for tests of the users side of the
saga (imported as `orders`)."""

from uuid import UUID

import publishing

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from contracts.orders import (
    CancelReason,
    OrderCancelled,
    OrderCompleted,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    RefundCompleted,
    RefundedLine,
)

SKU = new_id()


async def publish(platform, *events) -> None:
    """Publish events as the orders service's relay does: CloudEvents keyed by the order."""
    await publishing.publish_as(platform, "/flywheel/orders", *events)


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def line(paid: int) -> OrderLine:
    return OrderLine(
        sku_id=SKU, quantity=1, list_price=cny(paid), unit_price=cny(paid), paid=cny(paid)
    )


def placed(user_id: str, points: int, paid: int = 1000, order_id: UUID | None = None):
    return OrderPlaced(
        order_id=order_id or new_id(),
        customer_id=UUID(user_id),
        lines=[line(paid)],
        total=cny(paid),
        points=points,
        placed_at=now(),
    )


def paid(order: OrderPlaced) -> OrderPaid:
    return OrderPaid(
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=order.lines,
        total=order.total,
        points=order.points,
        paid_at=now(),
    )


def cancelled(order: OrderPlaced) -> OrderCancelled:
    return OrderCancelled(
        order_id=order.order_id,
        customer_id=order.customer_id,
        reason=CancelReason.PAYMENT_TIMEOUT,
        lines=order.lines,
        points=order.points,
        cancelled_at=now(),
    )


def completed(order: OrderPlaced) -> OrderCompleted:
    return OrderCompleted(
        order_id=order.order_id,
        customer_id=order.customer_id,
        total=order.total,
        completed_at=now(),
    )


def refunded(order: OrderPlaced, amount: int) -> RefundCompleted:
    return RefundCompleted(
        refund_id=new_id(),
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=[RefundedLine(sku_id=SKU, quantity=1, amount=cny(amount))],
        amount=cny(amount),
        restock=True,
        completed_at=now(),
    )
