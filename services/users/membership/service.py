"""Operations on membership: deciding a user's tier on payment and on its review date, the
multiplier the points ledger earns at, and what a member sees."""

from dataclasses import asdict
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import background
from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput
from contracts.users import Tier, TierChanged, TierLevel, TierTableChanged
from services.users.accounts.models import User
from services.users.membership import tiers
from services.users.membership.models import Membership, TierTable
from services.users.metrics import service as metrics
from services.users.segments import service as segments

REVIEW_BATCH = 200


def levels_of(row: TierTable) -> tiers.Levels:
    return tuple(
        tiers.Level(Tier(level["tier"]), level["spend_12m"], tiers.Benefits(**level["benefits"]))
        for level in row.levels
    )


def as_data(levels: tiers.Levels) -> list[dict]:
    return [
        {"tier": level.tier.value, "spend_12m": level.spend_12m, "benefits": asdict(level.benefits)}
        for level in levels
    ]


async def current_table(session: AsyncSession) -> TierTable:
    return await session.scalar(select(TierTable).order_by(TierTable.version.desc()).limit(1))


async def levels(session: AsyncSession) -> tiers.Levels:
    """The levels in force."""
    return levels_of(await current_table(session))


async def change_table(
    session: AsyncSession, expected_version: int, levels: tiers.Levels, by: UUID
) -> TierTable:
    """Make the next version of the tier table, if `expected_version` is still the one in
    force (else 409), with `tier_table.changed` in the same transaction. It rules from the
    next decision on: upgrades at the next payment, downgrades at each member's review date
    (never on the spot)."""
    current = await current_table(session)
    if expected_version != current.version:
        raise Conflict(f"The tiers are at version {current.version}, not {expected_version}.")
    if problem := tiers.problem(levels):
        raise InvalidInput(f"body.{problem[0]}", problem[1])
    row = TierTable(
        version=current.version + 1, levels=as_data(levels), created_at=now(), created_by=by
    )
    session.add(row)
    try:
        await session.flush()  # the primary key decides between concurrent changes
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"The tiers moved past version {expected_version} meanwhile.") from None
    await outbox.add(
        session,
        TierTableChanged(
            version=row.version,
            levels=[
                TierLevel(tier=level.tier, spend_12m=level.spend_12m, **asdict(level.benefits))
                for level in levels
            ],
            changed_by=by,
            changed_at=row.created_at,
        ),
    )
    await session.commit()
    return row


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
    table = await current_table(session)
    decision = tiers.decide(held, review_at, spend, at, period, levels_of(table))
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
                table_version=table.version,
                changed_at=at,
            ),
        )


async def review_due(db: Database, period: timedelta, at: datetime | None = None) -> int:
    """Review the memberships whose review date has come, a batch in one transaction.
    Returns how many were reviewed."""
    at = at or now()

    async def review(session: AsyncSession, user_id: UUID) -> None:
        await decide(session, user_id, period, at)

    return await background.fire_due(
        db, Membership.user_id, Membership.review_at, at, REVIEW_BATCH, review
    )


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
    level = tiers.of(await levels(session), tier or Tier.REGULAR)
    return level.benefits.points_multiplier_percent
