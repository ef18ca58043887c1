"""Members' tiers as users publishes them (newest change wins, whatever order they arrive
in), and the tier of a customer at checkout."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_for
from contracts.users import Tier
from services.orders.members.models import MemberTier
from services.orders.privacy import service as privacy


async def tier_changed(session: AsyncSession, user_id: UUID, tier: Tier, at: datetime) -> None:
    """The customer holds `tier` from `at` on, unless a newer change was applied already
    (or they were erased: their tier is not kept again)."""
    if await privacy.is_erased(session, user_id):
        return
    table = MemberTier.__table__
    insert = insert_for(session, table).values(user_id=user_id, tier=tier, changed_at=at)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.user_id],
            set_={"tier": insert.excluded.tier, "changed_at": insert.excluded.changed_at},
            where=table.c.changed_at <= insert.excluded.changed_at,
        )
    )


async def tier(session: AsyncSession, user_id: UUID) -> Tier:
    """The customer's tier; regular until users tells another."""
    held = await session.scalar(select(MemberTier.tier).where(MemberTier.user_id == user_id))
    return Tier(held) if held is not None else Tier.REGULAR
