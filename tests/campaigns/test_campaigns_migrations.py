"""The campaigns revisions build exactly the tables the models declare, on both backends, and
the data revisions carry what was there."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from drift import drift

from chassis.db import Database
from chassis.ids import new_id
from services.campaigns.app import SCHEMA
from services.campaigns.calendar.models import Campaign
from services.campaigns.flash.models import FlashSession
from services.campaigns.models import Base


async def test_the_revisions_match_the_models(database_url):
    db = Database(database_url("campaigns"), service="campaigns")
    try:
        await db.create_database_if_missing()
        assert await drift(db, SCHEMA, Base.metadata) == []
    finally:
        await db.dispose()


async def test_flash_sessions_before_the_holds_stay_on_sale_and_segment_ids_are_canonical(
    database_url,
):
    """campaigns_0020 takes sessions set up before it as held (they never asked catalog);
    campaigns_0022 writes segment ids as users does and leaves names as they were."""
    db = Database(database_url("campaigns"), service="campaigns")
    await db.create_database_if_missing()
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "campaigns_0019"))
        at, segment = datetime.now(UTC), new_id()
        campaign_id, session_id = new_id(), new_id()
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.table(*_columns("campaigns", "name", "kind", "time_zone", "state"))
                .insert()
                .values(
                    id=campaign_id,
                    name="Double Eleven",
                    kind="holiday_sale",
                    time_zone="UTC",
                    state="draft",
                    starts_at=at,
                    ends_at=at + timedelta(days=1),
                    segments=[segment.hex, "vip"],
                    channels=[],
                    created_by=new_id(),
                    created_at=at,
                )
            )
            await conn.execute(
                sa.table(
                    "flash_sessions",
                    *(sa.column(c, sa.Uuid()) for c in ("id", "created_by")),
                    *(sa.column(c, sa.DateTime(timezone=True)) for c in _TIMES),
                    sa.column("name", sa.String()),
                    sa.column("reservation_minutes", sa.Integer()),
                )
                .insert()
                .values(
                    id=session_id,
                    created_by=new_id(),
                    name="20:00",
                    reservation_minutes=15,
                    starts_at=at,
                    ends_at=at + timedelta(hours=1),
                    created_at=at,
                )
            )
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "heads"))
        async with db.session() as session:
            campaign = await session.get(Campaign, campaign_id)
            flash = await session.get(FlashSession, session_id)
        assert campaign.segments == [str(segment), "vip"]
        assert (flash.state, flash.ended_at) == ("held", None)
    finally:
        await db.dispose()


_TIMES = ("starts_at", "ends_at", "created_at")


def _columns(name: str, *strings: str):
    return (
        name,
        *(sa.column(c, sa.Uuid()) for c in ("id", "created_by")),
        *(sa.column(c, sa.String()) for c in strings),
        *(sa.column(c, sa.DateTime(timezone=True)) for c in _TIMES),
        *(sa.column(c, sa.JSON()) for c in ("segments", "channels")),
    )
