"""Users' tier changes, kept for the free-shipping thresholds of member tiers."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import TierChanged
from services.orders.members import service


@consumes(TierChanged)
async def on_tier_changed(event: TierChanged, session: AsyncSession) -> None:
    await service.tier_changed(session, event.user_id, event.to_tier, event.changed_at)


HANDLERS = [on_tier_changed]
