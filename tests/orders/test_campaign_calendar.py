"""Orders' read model of campaigns' calendar, on both backends: the campaigns that could be
pricing some SKUs now; an end or a cancellation stops one, whatever order the events come
in, and an event applied again changes nothing."""

from datetime import timedelta

import pytest

from chassis.clock import now
from chassis.db import Database
from chassis.ids import new_id
from contracts.campaigns import CampaignScheduled
from services.orders.campaigns import service

pytestmark = pytest.mark.asyncio
DAY = timedelta(days=1)


def _scheduled(sku_ids, kind="holiday_sale", starts=-DAY, ends=DAY) -> CampaignScheduled:
    at = now()
    return CampaignScheduled(
        campaign_id=new_id(),
        name="双十二 sale",
        kind=kind,
        starts_at=at + starts,
        ends_at=at + ends,
        scheduled_by=new_id(),
        sku_ids=sku_ids,
    )


async def _pricing(db: Database, *sku_ids):
    async with db.session() as session:
        return await service.pricing(session, list(sku_ids), now())


async def _apply(db: Database, *steps) -> None:
    async with db.session() as session, session.begin():
        for step, *args in steps:
            await step(session, *args)


async def test_running_campaigns_price_their_skus_until_they_end_or_are_cancelled(db):
    tea, cup, mug = new_id(), new_id(), new_id()
    sale, other, flash = _scheduled([tea, cup]), _scheduled([cup]), _scheduled([mug], "flash_sale")
    later = _scheduled([mug], starts=DAY, ends=2 * DAY)
    await _apply(db, *((service.scheduled, e) for e in (sale, other, flash, later)))
    await _apply(db, (service.started, sale.campaign_id, now()))
    assert await _pricing(db, tea) == [sale.campaign_id]
    assert await _pricing(db, cup, tea) == sorted([sale.campaign_id, other.campaign_id])
    assert await _pricing(db, mug) == []  # a flash sale's, and one not yet begun
    assert await _pricing(db, new_id()) == []

    await _apply(db, (service.closed, sale.campaign_id, now()))
    await _apply(db, (service.closed, other.campaign_id, now()))
    assert await _pricing(db, tea, cup) == []


async def test_a_close_heard_first_or_events_applied_again_change_nothing(db):
    tea = new_id()
    sale = _scheduled([tea])
    await _apply(db, (service.closed, sale.campaign_id, now()), (service.scheduled, sale))
    await _apply(db, (service.scheduled, sale), (service.started, sale.campaign_id, now()))
    assert await _pricing(db, tea) == []

    again = _scheduled([tea])
    await _apply(db, (service.scheduled, again), (service.scheduled, again))
    await _apply(db, (service.started, again.campaign_id, now()))
    await _apply(db, (service.started, again.campaign_id, now()))
    assert await _pricing(db, tea) == [again.campaign_id]
