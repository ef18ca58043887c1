"""Events the metrics read model is kept from."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.analytics import BehaviourRecorded
from contracts.orders import OrderPaid, OrderPlaced, RefundCompleted
from services.users.metrics import service


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    """Keep each customer's order count and spend as placed, and their last activity."""
    await service.count_order(session, event)
    await service.touch(session, event.customer_id, event.placed_at)


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    await service.count_paid(session, event)


@consumes(RefundCompleted)
async def on_refund_completed(event: RefundCompleted, session: AsyncSession) -> None:
    await service.count_refund(session, event)


@consumes(BehaviourRecorded)
async def on_behaviour(event: BehaviourRecorded, session: AsyncSession) -> None:
    """A signed-in user's behaviour (a view, a search...) is activity; anonymous is not."""
    if event.user_id is not None:
        await service.touch(session, event.user_id, event.occurred_at)


HANDLERS = [on_order_placed, on_order_paid, on_refund_completed, on_behaviour]
