"""A paid order may lift the customer's tier at once (after points earned at the tier held
when it was paid). Refunds lower the spend but never the tier: that waits for the review."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.orders import OrderPaid
from services.users.membership import service


def handlers(review_period: timedelta) -> list[Handler]:
    @consumes(OrderPaid)
    async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
        await service.decide(session, event.customer_id, review_period)

    return [on_order_paid]
