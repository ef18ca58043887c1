"""Operations on membership: deciding a user's tier on payment and on its review date, the
multiplier the points ledger earns at, and what a member sees."""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from contracts.users import Tier, TierChanged
from services.users.accounts.models import User
from services.users.membership import tiers
from services.users.membership.models import Membership
from services.users.metrics import service as metrics
from services.users.segments import service as segments

REVIEW_BATCH = 200


async def spend_12m(session: AsyncSession, user_id: UUID, at: datetime) -> int:
    return await metrics.spend_since(session, user_id, at - tiers.WINDOW)


async def decide(
    session: AsyncSession, user_id: UUID, period: timedelta, at: datetime | None = None
) -> None:
    """Apply `tiers.decide` to the user's membership now (or `at`), in the caller's
    transaction, publishing `TierChanged` when the tier moves."""
    at = at or now()
    await session.execute(
        insert_for(session, Membership.__table__)
        .values(user_id=user_id, tier=Tier.REGULAR, since=at, review_at=None)
        .on_conflict_do_nothing()
    )
    held, review_at = (
        await session.execute(
            select(Membership.tier, Membership.review_at)
            .where(Membership.user_id == user_id)
            .with_for_update()
        )
    ).one()
    spend = await spend_12m(session, user_id, at)
    decision = tiers.decide(held, review_at, spend, at, period)
    if decision is None:
        return
    values = {"review_at": decision.review_at}
    if decision.reason is not None:
        values |= {"tier": decision.tier, "since": at}
    await session.execute(
        update(Membership)
        .where(Membership.user_id == user_id, Membership.tier == held)
        .values(**values)
    )
    if decision.reason is not None:
        await segments.refresh(session, user_id, {"membership.tier"})
        await outbox.add(
            session,
            TierChanged(
                user_id=user_id,
                from_tier=held,
                to_tier=decision.tier,
                reason=decision.reason,
                spend_12m=spend,
                review_at=decision.review_at,
                changed_at=at,
            ),
        )


async def review_due(db: Database, period: timedelta, at: datetime | None = None) -> int:
    """Review the memberships whose review date has come, a batch in one transaction (rows
    another replica holds are skipped). Returns how many were reviewed."""
    at = at or now()
    async with db.session() as session, session.begin():
        due = (
            await session.scalars(
                select(Membership.user_id)
                .where(Membership.review_at <= at)
                .order_by(Membership.review_at)
                .limit(REVIEW_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for user_id in due:
            await decide(session, user_id, period, at)
    return len(due)


def users_holding(tier: Tier):
    """A condition on `User.id`: the user holds `tier` (regular: also no membership row)."""
    if tier == Tier.REGULAR:
        return User.id.not_in(select(Membership.user_id).where(Membership.tier != Tier.REGULAR))
    return User.id.in_(select(Membership.user_id).where(Membership.tier == tier))


async def membership(session: AsyncSession, user_id: UUID) -> Membership:
    row = await session.get(Membership, user_id)
    return row or Membership(user_id=user_id, tier=Tier.REGULAR, since=None, review_at=None)


async def multiplier_percent(session: AsyncSession, user_id: UUID) -> int:
    """The points multiplier of the tier the user holds now."""
    tier = await session.scalar(select(Membership.tier).where(Membership.user_id == user_id))
    return tiers.BY_TIER[tier or Tier.REGULAR].benefits.points_multiplier_percent
