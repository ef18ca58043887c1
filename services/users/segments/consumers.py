"""Order and behaviour events re-evaluate their user against the segments reading what they
change (metrics, RFM, last activity), last in the transaction, so every other domain has
applied them first. (Lifecycle moves, tier changes, profile edits and logins re-evaluate the
segments reading them where they happen, whatever caused them.)"""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.analytics import BehaviourRecorded
from contracts.orders import OrderPaid, OrderPlaced, RefundCompleted
from services.users.segments import service

ACTIVITY = {"metrics.last_active_at"}
ORDER_FIELDS = {
    "metrics.paid_orders",
    "metrics.net_spend",
    "metrics.last_paid_at",
    "events.paid_orders",
    "rfm.r",
    "rfm.f",
    "rfm.m",
    *ACTIVITY,
}


@consumes(OrderPaid, RefundCompleted)
async def on_payment_or_refund(event: OrderPaid | RefundCompleted, session: AsyncSession) -> None:
    await service.refresh(session, event.customer_id, ORDER_FIELDS)


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    await service.refresh(session, event.customer_id, ACTIVITY)


@consumes(BehaviourRecorded)
async def on_behaviour(event: BehaviourRecorded, session: AsyncSession) -> None:
    if event.user_id is not None:
        await service.refresh(session, event.user_id, ACTIVITY)


HANDLERS = [on_payment_or_refund, on_order_placed, on_behaviour]
