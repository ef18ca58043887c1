"""Users' actions that earn lottery chances: a check-in, a referral (`points.earned`)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import PointsEarned
from services.campaigns.lotteries import service


@consumes(PointsEarned)
async def on_points_earned(event: PointsEarned, session: AsyncSession) -> None:
    await service.grant_for_action(session, event)
