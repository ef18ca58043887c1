"""Due timers (`chassis.background.fire_due`): the rows whose moment has come are applied
earliest first, a batch at a time, rows not yet due never; on PostgreSQL a second replica
skips the rows the first holds instead of waiting for them."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.background import fire_due
from chassis.db import Database, UtcDateTime

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Timer(Base):
    __tablename__ = "timers"

    user: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


@pytest.fixture
async def db(database_url):
    database = Database(database_url("timers"), service="test")
    await database.create_database_if_missing()
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


async def _timers(db: Database, **due_in_minutes: int) -> None:
    async with db.session() as session, session.begin():
        for user, minutes in due_in_minutes.items():
            session.add(Timer(user=int(user[1:]), due_at=T0 + timedelta(minutes=minutes)))


async def _left(db: Database) -> list[int]:
    async with db.session() as session:
        return list(await session.scalars(select(Timer.user).order_by(Timer.user)))


async def test_due_rows_fire_earliest_first_a_batch_at_a_time_and_later_ones_wait(db):
    await _timers(db, u1=-1, u2=-3, u3=-2, u4=1)
    fired: list[int] = []

    async def apply(session, user: int) -> None:
        fired.append(user)
        await session.execute(delete(Timer).where(Timer.user == user))

    counts = [await fire_due(db, Timer.user, Timer.due_at, T0, 2, apply) for _ in range(3)]
    assert counts == [2, 1, 0]
    assert fired == [2, 3, 1]
    assert await _left(db) == [4]


async def test_a_second_replica_skips_the_rows_the_first_holds(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks: one writer at a time; the race is PostgreSQL's")
    await _timers(db, u1=-4, u2=-3, u3=-2, u4=-1)
    holding, release = asyncio.Event(), asyncio.Event()
    by: dict[str, list[int]] = {"first": [], "second": []}

    def applying(replica: str):
        async def apply(session, user: int) -> None:
            by[replica].append(user)
            await session.execute(delete(Timer).where(Timer.user == user))
            if replica == "first":
                holding.set()
                await release.wait()  # its rows stay locked until the second is done

        return apply

    first = asyncio.create_task(fire_due(db, Timer.user, Timer.due_at, T0, 2, applying("first")))
    await asyncio.wait_for(holding.wait(), 10)
    # Waiting on the first's locks instead of skipping them would time out here.
    second = await asyncio.wait_for(
        fire_due(db, Timer.user, Timer.due_at, T0, 2, applying("second")), 10
    )
    release.set()
    assert (await first, second) == (2, 2)
    assert (by["first"], by["second"]) == ([1, 2], [3, 4])
    assert await _left(db) == []
