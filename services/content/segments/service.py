"""Segment membership: kept from users' events, read for a reader's cold start and by the
recommender's training (each segment's favourite posts)."""

from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_for
from contracts.users import SegmentEntered, SegmentLeft
from services.content.segments.models import SegmentMember

MOST = 20  # segments of one reader a feed reads


async def entered(session: AsyncSession, event: SegmentEntered) -> None:
    """The user is in the segment from `entered_at`; a repeat keeps the latest entry."""
    await session.execute(
        insert_for(session, SegmentMember)
        .values(user_id=event.user_id, segment_id=event.segment_id, since=event.entered_at)
        .on_conflict_do_update(
            index_elements=["user_id", "segment_id"],
            set_={"since": event.entered_at},
            where=SegmentMember.since < event.entered_at,
        )
    )


async def left(session: AsyncSession, event: SegmentLeft) -> None:
    """The user left the segment, unless they entered it again after leaving."""
    await session.execute(
        delete(SegmentMember).where(
            SegmentMember.user_id == event.user_id,
            SegmentMember.segment_id == event.segment_id,
            SegmentMember.since <= event.left_at,
        )
    )


async def of(session: AsyncSession, user_id: UUID) -> list[UUID]:
    """The segments a user is in (the latest entered first, MOST at most)."""
    return list(
        await session.scalars(
            select(SegmentMember.segment_id)
            .where(SegmentMember.user_id == user_id)
            .order_by(SegmentMember.since.desc())
            .limit(MOST)
        )
    )


async def members(session: AsyncSession) -> list[tuple[UUID, UUID]]:
    """Every (user, segment) pair."""
    return list(await session.execute(select(SegmentMember.user_id, SegmentMember.segment_id)))
