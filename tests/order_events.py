"""Order events as the orders service publishes them, each later one built from the order as
placed (imported as `order_events` by the users' and campaigns' tests of the saga)."""

from typing import TypeVar
from uuid import UUID

from chassis.clock import now
from chassis.events import EventData
from chassis.ids import new_id
from chassis.money import Money
from contracts.orders import (
    Attribution,
    CancelReason,
    OrderCancelled,
    OrderCompleted,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    RefundCompleted,
    RefundedLine,
)

Later = TypeVar("Later", bound=EventData)


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def line(sku_id: UUID | None = None, price: int = 320_00, quantity: int = 1) -> OrderLine:
    """A line at its list price, without coupon or points."""
    return OrderLine(
        sku_id=sku_id or new_id(),
        quantity=quantity,
        list_price=cny(price),
        unit_price=cny(price),
        paid=cny(price * quantity),
    )


def placed(
    customer_id: UUID,
    *lines: OrderLine,
    points: int = 0,
    attribution: Attribution | None = None,
    order_id: UUID | None = None,
) -> OrderPlaced:
    """An order of `lines`, paying what they pay."""
    return OrderPlaced(
        order_id=order_id or new_id(),
        customer_id=customer_id,
        lines=list(lines),
        total=cny(sum(x.paid.amount for x in lines)),
        points=points,
        attribution=attribution or Attribution(),
        placed_at=now(),
    )


def _later(order: OrderPlaced, event: type[Later], **fields) -> Later:
    """`event` of `order`, carrying what the order says of every field they share (its lines,
    total, points and attribution as placed)."""
    carried = {
        name: getattr(order, name)
        for name in event.model_fields.keys() & OrderPlaced.model_fields.keys()
    }
    return event(**carried | fields)


def paid(order: OrderPlaced) -> OrderPaid:
    return _later(order, OrderPaid, paid_at=now())


def cancelled(order: OrderPlaced, reason: CancelReason = CancelReason.CUSTOMER) -> OrderCancelled:
    return _later(order, OrderCancelled, reason=reason, cancelled_at=now())


def completed(order: OrderPlaced) -> OrderCompleted:
    return _later(order, OrderCompleted, completed_at=now())


def refunded(
    order: OrderPlaced, *lines: RefundedLine, coupon_ids: list[UUID] | None = None
) -> RefundCompleted:
    """The order refunded, the goods restocked: `lines` (by default the whole order, its
    total); orders names the coupons it gives back (all the order's by default)."""
    whole = [
        RefundedLine(sku_id=x.sku_id, quantity=x.quantity, amount=x.paid, line_no=n)
        for n, x in enumerate(order.lines)
    ]
    return RefundCompleted(
        refund_id=new_id(),
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=list(lines) or whole,
        amount=cny(sum(x.amount.amount for x in lines)) if lines else order.total,
        restock=True,
        coupon_ids_restored=order.attribution.coupon_ids if coupon_ids is None else coupon_ids,
        completed_at=now(),
    )
