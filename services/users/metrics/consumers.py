"""Events the metrics read model is kept from."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPlaced
from services.users.metrics import service


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    """Keep each customer's order count and spend: the frequency and monetary of RFM."""
    await service.count_order(session, event)
