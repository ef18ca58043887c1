"""The referee's completed orders release referral rewards."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderCompleted
from services.users.referrals import service


@consumes(OrderCompleted)
async def on_order_completed(event: OrderCompleted, session: AsyncSession) -> None:
    await service.reward(session, event)


HANDLERS = [on_order_completed]
