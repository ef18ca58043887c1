"""Paid orders, attributed to the campaigns behind them."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPaid
from services.campaigns.performance import service


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    await service.attribute(session, event)
