"""Users' erasures: orders scrubs what it keeps about the customer."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import UserErased
from services.orders.privacy import service


@consumes(UserErased)
async def on_user_erased(event: UserErased, session: AsyncSession) -> None:
    await service.erase(session, event.user_id, event.erased_at)


HANDLERS = [on_user_erased]
