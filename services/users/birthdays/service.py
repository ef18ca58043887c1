"""Operations of birthdays: the timer (re)scheduled whenever the birthday or the time zone
changes, fired at the customer's local midnight to announce `birthday.reached` once a year,
then moved to the next year's celebration."""

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import background
from chassis.clock import now
from chassis.db import Database, insert_for, insert_if_absent
from chassis.events import outbox
from contracts.users import BirthdayReached
from services.users.birthdays import dates
from services.users.birthdays.models import BirthdayAnnounced, BirthdayTimer
from services.users.profiles.models import Profile

TIMER_BATCH = 500  # timers fired per transaction
DEFAULT_ZONE = "UTC"
TIMERS = BirthdayTimer.__table__


async def schedule(session: AsyncSession, user_id: UUID, at: datetime | None = None) -> None:
    """Set the user's timer to the next celebration of their birthday not yet announced
    (local midnight in their time zone), or remove it if they gave no birthday; in the
    caller's transaction."""
    at = at or now()
    await session.execute(  # the timer row first, as the scheduler takes it
        select(BirthdayTimer.user_id).where(BirthdayTimer.user_id == user_id).with_for_update()
    )
    profile = await session.get(Profile, user_id)
    if profile is None or profile.birth_month is None or profile.birth_day is None:
        await session.execute(delete(BirthdayTimer).where(BirthdayTimer.user_id == user_id))
        return
    zone = profile.time_zone or DEFAULT_ZONE
    announced = await session.scalar(
        select(func.max(BirthdayAnnounced.year)).where(BirthdayAnnounced.user_id == user_id)
    )
    today = at.astimezone(ZoneInfo(zone)).date()
    on = dates.next_celebration(profile.birth_month, profile.birth_day, today, announced)
    due = dates.begins_at(on, zone)
    await session.execute(
        insert_for(session, TIMERS)
        .values(user_id=user_id, due_at=due, year=on.year)
        .on_conflict_do_update(
            index_elements=[TIMERS.c.user_id], set_={"due_at": due, "year": on.year}
        )
    )


async def fire(session: AsyncSession, user_id: UUID, at: datetime) -> bool:
    """Announce the birthday the user's due timer is for, unless its year was announced
    already (the primary key of `birthdays_announced`), and move the timer to the next
    year's; whether it announced."""
    timer = await session.get(BirthdayTimer, user_id)
    profile = await session.get(Profile, user_id)
    if timer is None or profile is None or profile.birth_month is None:
        await schedule(session, user_id, at)  # nothing to announce: the timer goes
        return False
    announced = await insert_if_absent(
        session, BirthdayAnnounced.__table__, user_id=user_id, year=timer.year, announced_at=at
    )
    if announced:
        await outbox.add(
            session,
            BirthdayReached(
                user_id=user_id,
                year=timer.year,
                on=dates.celebrated_on(profile.birth_month, profile.birth_day, timer.year),
                birth_month=profile.birth_month,
                birth_day=profile.birth_day,
                time_zone=profile.time_zone or DEFAULT_ZONE,
                reached_at=at,
            ),
        )
    await schedule(session, user_id, at)
    return announced


async def fire_due(db: Database, at: datetime | None = None) -> int:
    """Fire every birthday timer whose local midnight has come, a batch in one transaction
    (SKIP LOCKED: replicas share them); returns how many fired."""
    at = at or now()

    async def apply(session: AsyncSession, user_id: UUID) -> None:
        await fire(session, user_id, at)

    return await background.fire_due(
        db, BirthdayTimer.user_id, BirthdayTimer.due_at, at, TIMER_BATCH, apply
    )


async def next_at(session: AsyncSession, user_id: UUID) -> BirthdayTimer | None:
    """The user's timer: when and for which year it fires next."""
    return await session.get(BirthdayTimer, user_id)
