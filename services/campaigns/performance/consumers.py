"""Paid orders, attributed to the campaigns behind them; refunds, taken off their GMV."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPaid, RefundCompleted
from services.campaigns.performance import service


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    await service.attribute(session, event)


@consumes(RefundCompleted)
async def on_refund_completed(event: RefundCompleted, session: AsyncSession) -> None:
    await service.record_refund(session, event)
