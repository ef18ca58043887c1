"""Order events re-evaluate their customer against the segments reading metrics and RFM, last
in the transaction, so every other domain has applied them first. (Lifecycle moves and tier
changes re-evaluate the segments reading them where they happen, whatever caused them.)"""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPaid, RefundCompleted
from services.users.segments import service

ORDER_FIELDS = {"metrics.paid_orders", "metrics.net_spend", "rfm.r", "rfm.f", "rfm.m"}


@consumes(OrderPaid, RefundCompleted)
async def on_payment_or_refund(event: OrderPaid | RefundCompleted, session: AsyncSession) -> None:
    await service.refresh(session, event.customer_id, ORDER_FIELDS)


HANDLERS = [on_payment_or_refund]
