"""Segment entries and exits from users, kept as the membership read model. A user's
events come in order (keyed by user); the inbox drops a redelivered one, and each handler
is idempotent besides (an entry inserts if absent, an exit deletes an entry no newer than
itself). A deleted segment (keyed by segment: it may overtake its members' last entries)
drops its members and is remembered, so a later entry into it is not kept."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_if_absent
from chassis.events.handlers import consumes
from contracts.users import SegmentDeleted, SegmentEntered, SegmentLeft
from services.campaigns.segments.models import DeletedSegment, SegmentMember


@consumes(SegmentEntered)
async def on_segment_entered(event: SegmentEntered, session: AsyncSession) -> None:
    deleted = select(DeletedSegment.segment_id).where(DeletedSegment.segment_id == event.segment_id)
    if await session.scalar(deleted) is not None:
        return
    await insert_if_absent(
        session,
        SegmentMember.__table__,
        segment_id=event.segment_id,
        user_id=event.user_id,
        entered_at=event.entered_at,
    )


@consumes(SegmentLeft)
async def on_segment_left(event: SegmentLeft, session: AsyncSession) -> None:
    await session.execute(
        delete(SegmentMember).where(
            SegmentMember.segment_id == event.segment_id,
            SegmentMember.user_id == event.user_id,
            SegmentMember.entered_at <= event.left_at,
        )
    )


@consumes(SegmentDeleted)
async def on_segment_deleted(event: SegmentDeleted, session: AsyncSession) -> None:
    await insert_if_absent(
        session,
        DeletedSegment.__table__,
        segment_id=event.segment_id,
        deleted_at=event.deleted_at,
    )
    await session.execute(delete(SegmentMember).where(SegmentMember.segment_id == event.segment_id))
