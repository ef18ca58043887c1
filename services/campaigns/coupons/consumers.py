"""Events upon which coupons are given: the welcome perk of a new user."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import UserRegistered
from services.campaigns.coupons import service
from services.campaigns.coupons.models import GrantTrigger


@consumes(UserRegistered)
async def on_user_registered(event: UserRegistered, session: AsyncSession) -> None:
    await service.grant_on(session, GrantTrigger.REGISTRATION, event.user_id)
