"""Operations on check-ins: checking in, with its reward credited in the same transaction."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.http.problems import Conflict
from services.users.checkins import streaks
from services.users.checkins.models import CheckIn
from services.users.points import service as points
from services.users.profiles import service as profiles
from services.users.segments import service as segments


async def check_in(session: AsyncSession, user_id: UUID) -> CheckIn:
    at = now()
    today = streaks.local_day(at, await profiles.time_zone(session, user_id))
    yesterday = await session.scalar(
        select(CheckIn).where(
            CheckIn.user_id == user_id, CheckIn.local_date == today - timedelta(days=1)
        )
    )
    days = streaks.streak(
        yesterday.local_date if yesterday else None, yesterday.streak if yesterday else 0, today
    )
    check_in = CheckIn(
        user_id=user_id,
        local_date=today,
        streak=days,
        points=streaks.reward(days),
        checked_in_at=at,
    )
    session.add(check_in)
    try:
        await session.flush()  # the unique (user, day) decides between concurrent check-ins
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"Already checked in on {today.isoformat()}.") from None
    await points.credit_check_in(session, user_id, check_in.id, check_in.points)
    await segments.refresh(session, user_id, {"events.check_ins"})
    await session.commit()
    return check_in
