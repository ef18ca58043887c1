"""Payments and refunds rescore their customer against the cut-offs in force, after the
metrics' handlers in the same transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPaid, RefundCompleted
from services.users.rfm import service


@consumes(OrderPaid, RefundCompleted)
async def on_payment_or_refund(event: OrderPaid | RefundCompleted, session: AsyncSession) -> None:
    await service.rescore(session, event.customer_id)


HANDLERS = [on_payment_or_refund]
