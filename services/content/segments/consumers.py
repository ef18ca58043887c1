"""Events segments consume: users entering and leaving segments."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.users import SegmentEntered, SegmentLeft
from services.content.segments import service


@consumes(SegmentEntered)
async def on_segment_entered(event: SegmentEntered, session: AsyncSession) -> None:
    await service.entered(session, event)


@consumes(SegmentLeft)
async def on_segment_left(event: SegmentLeft, session: AsyncSession) -> None:
    await service.left(session, event)
