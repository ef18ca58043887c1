"""Claiming a daily job's run: one replica a day, by a statement that names the run it
replaces."""

from datetime import datetime, time

from sqlalchemy import select, update

from chassis.clock import now
from chassis.db import Database, insert_for
from services.users.jobs import daily
from services.users.jobs.models import ScheduledRun


async def claim(db: Database, job: str, at: time, when: datetime | None = None) -> bool:
    """True for the one caller that claims the run due now; False when it is not due or
    another replica claimed it first."""
    when = when or now()
    async with db.session() as session, session.begin():
        await session.execute(
            insert_for(session, ScheduledRun.__table__)
            .values(job=job, last_run_at=None)
            .on_conflict_do_nothing()
        )
        last = await session.scalar(select(ScheduledRun.last_run_at).where(ScheduledRun.job == job))
        if not daily.due(last, when, at):
            return False
        seen = (
            ScheduledRun.last_run_at.is_(None) if last is None else ScheduledRun.last_run_at == last
        )
        result = await session.execute(
            update(ScheduledRun).where(ScheduledRun.job == job, seen).values(last_run_at=when)
        )
        return result.rowcount == 1
