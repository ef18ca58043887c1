"""Order events as the orders service publishes them, for tests of the users side of the
saga (imported as `orders`): an order of one line of a SKU of its own at a price, paid in
points or not, cancelled when its payment timed out, refunded in part."""

from uuid import UUID

import order_events
import publishing
from order_events import completed, paid

from chassis.ids import new_id
from contracts.orders import (
    CancelReason,
    OrderCancelled,
    OrderPlaced,
    RefundCompleted,
    RefundedLine,
)

__all__ = ["SKU", "cancelled", "completed", "paid", "placed", "publish", "refunded"]

SKU = new_id()


async def publish(platform, *events) -> None:
    """Publish events as the orders service's relay does: CloudEvents keyed by the order."""
    await publishing.publish_as(platform, "/flywheel/orders", *events)


def placed(user_id: str, points: int, paid: int = 1000, order_id: UUID | None = None):
    """An order of one SKU paying `paid`, redeeming `points`."""
    return order_events.placed(
        UUID(user_id), order_events.line(SKU, paid), points=points, order_id=order_id
    )


def cancelled(order: OrderPlaced) -> OrderCancelled:
    return order_events.cancelled(order, CancelReason.PAYMENT_TIMEOUT)


def refunded(order: OrderPlaced, amount: int) -> RefundCompleted:
    """`amount` of the order's SKU given back, the unit returned."""
    line = RefundedLine(sku_id=SKU, quantity=1, amount=order_events.cny(amount))
    return order_events.refunded(order, line)
