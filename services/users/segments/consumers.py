"""Events that change what segments read re-evaluate their user, last in the transaction, so
every other domain has applied them first."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.analytics import BehaviourRecorded
from contracts.orders import OrderPaid, OrderPlaced, RefundCompleted
from services.users.segments import service

# What an order event may change: metrics, the lifecycle stage, the tier, the RFM scores.
ORDER_FIELDS = {
    "metrics.paid_orders",
    "metrics.net_spend",
    "lifecycle.stage",
    "membership.tier",
    "rfm.r",
    "rfm.f",
    "rfm.m",
}


@consumes(OrderPlaced, OrderPaid, RefundCompleted)
async def on_order_event(
    event: OrderPlaced | OrderPaid | RefundCompleted, session: AsyncSession
) -> None:
    await service.refresh(session, event.customer_id, ORDER_FIELDS)


@consumes(BehaviourRecorded)
async def on_behaviour(event: BehaviourRecorded, session: AsyncSession) -> None:
    if event.user_id is not None:
        await service.refresh(session, event.user_id, {"lifecycle.stage"})


HANDLERS = [on_order_event, on_behaviour]
