"""The users revisions build exactly the tables the models declare, on both backends, and
the revision that ages tag evidence carries the evidence counted before it over."""

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from drift import drift
from sqlalchemy import text

from chassis import migrations
from chassis.db import Database
from chassis.ids import new_id
from services.users.app import SCHEMA
from services.users.models import Base
from services.users.tags import service as tags


@pytest.fixture
async def db(service_db) -> Database:
    return await service_db("users", migrate=False)


async def test_the_revisions_match_the_models(db):
    assert await drift(db, SCHEMA, Base.metadata) == []


async def test_evidence_counted_before_ageing_gets_its_days_and_its_holders_a_timer(db):
    holder, viewer = new_id(), new_id()
    seen = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "users_0015"))
        await conn.execute(
            text(
                "INSERT INTO tag_evidence (user_id, tag, source, count, first_seen_at, "
                "last_seen_at) VALUES (:h, 'brand:acme', 'paid_order', 2, :at, :at), "
                "(:v, 'brand:acme', 'product_view', 3, :at, :at)"
            ),
            {"h": _stored(db, holder), "v": _stored(db, viewer), "at": seen},
        )
        await conn.execute(
            text(
                "INSERT INTO user_tags (user_id, tag, origin, score, set_at) "
                "VALUES (:h, 'brand:acme', 'system', 10, :at)"
            ),
            {"h": _stored(db, holder), "at": seen},
        )
    await migrations.upgrade(db, SCHEMA)

    async with db.engine.connect() as conn:
        days = (await conn.execute(text("SELECT user_id, day, count FROM tag_evidence_days"))).all()
        timers = (await conn.execute(text("SELECT user_id FROM tag_timers"))).all()
    as_date = {str(day) for _, day, _ in days}
    assert as_date == {str(date(2026, 11, 30))}  # the UTC day of the last touch
    assert sorted(count for *_, count in days) == [2, 3]
    assert [_uuid(row.user_id) for row in timers] == [holder]
    # the scheduler reads the timer it was given: due, it derives the holder's tags again
    assert await tags.fire_due(db, timedelta(days=180)) == 1
    assert await tags.fire_due(db, timedelta(days=180)) == 0


def _stored(db: Database, value) -> str:
    """A UUID as `sa.Uuid` stores it: 32 hex digits on SQLite, native on PostgreSQL."""
    return value.hex if db.is_sqlite else str(value)


def _uuid(value):
    from uuid import UUID

    return value if isinstance(value, UUID) else UUID(str(value))


async def test_users_scored_before_get_an_rfm_timer_and_tag_timers_come_due(db):
    scored, holder = new_id(), new_id()
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    later = datetime(2030, 1, 1, tzinfo=UTC)  # a drop the former rule put years ahead
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "users_0017"))
        await conn.execute(
            text(
                "INSERT INTO rfm_scores (user_id, recency_days, frequency, monetary, r, f, m, "
                "scored_at) VALUES (:u, 3, 1, 1000, 5, 1, 2, :at)"
            ),
            {"u": _stored(db, scored), "at": at},
        )
        await conn.execute(
            text("INSERT INTO tag_timers (user_id, due_at) VALUES (:h, :due)"),
            {"h": _stored(db, holder), "due": later},
        )
    before = datetime.now(UTC)
    await migrations.upgrade(db, SCHEMA)

    async with db.engine.connect() as conn:
        rfm = (await conn.execute(text("SELECT user_id, due_at FROM rfm_timers"))).all()
        tag = (await conn.execute(text("SELECT due_at FROM tag_timers"))).all()
    assert [_uuid(row.user_id) for row in rfm] == [scored]
    for (due,) in [(row.due_at,) for row in rfm] + tag:
        due = due if isinstance(due, datetime) else datetime.fromisoformat(due)
        assert before <= due.replace(tzinfo=due.tzinfo or UTC) <= datetime.now(UTC)
