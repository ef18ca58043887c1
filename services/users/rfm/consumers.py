"""Payments and refunds rescore their customer against the cut-offs in force, after the
metrics' handlers in the same transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPaid, RefundCompleted
from services.users.rfm import service
from services.users.rfm.scoring import Cause


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    await service.rescore(session, event.customer_id, cause=Cause.PAID)


@consumes(RefundCompleted)
async def on_refund_completed(event: RefundCompleted, session: AsyncSession) -> None:
    await service.rescore(session, event.customer_id, cause=Cause.REFUNDED)


HANDLERS = [on_order_paid, on_refund_completed]
