"""Events reviews consume: paid orders, which make their buyers' reviews verified."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPaid
from services.content.reviews import service


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    await service.record_purchase(session, event)
