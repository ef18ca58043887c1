"""Events that may move a user's lifecycle stage: payments, refunds and any activity. They
run after the metrics' handlers in the same transaction, so they decide from fresh facts."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.analytics import BehaviourRecorded
from contracts.orders import OrderPaid, OrderPlaced, RefundCompleted
from services.users.lifecycle import service


@consumes(OrderPlaced, OrderPaid, RefundCompleted)
async def on_order_event(
    event: OrderPlaced | OrderPaid | RefundCompleted, session: AsyncSession
) -> None:
    await service.decide(session, event.customer_id)


@consumes(BehaviourRecorded)
async def on_behaviour(event: BehaviourRecorded, session: AsyncSession) -> None:
    if event.user_id is not None:
        await service.decide(session, event.user_id)


HANDLERS = [on_order_event, on_behaviour]
