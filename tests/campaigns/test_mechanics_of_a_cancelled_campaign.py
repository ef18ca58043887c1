"""A campaign called off issues nothing more: no new group, bargain or draw of its own."""

import pytest
from bargains_setup import cny
from lotteries_setup import draw, during, lottery

from chassis.http.problems import Conflict
from chassis.ids import new_id
from services.campaigns.bargains import service as bargains
from services.campaigns.bargains.schemas import TemplateRequest as BargainTerms
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.groups import service as groups
from services.campaigns.groups.schemas import TemplateRequest as GroupTerms


async def _cancelled_campaign(db):
    plan = CampaignPlan(
        name="Brand day",
        kind="brand_day",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
    )
    async with db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
    async with db.session() as session:
        await calendar.cancel(session, campaign.id, new_id(), "the brand pulled out")
    return campaign


async def test_a_cancelled_campaign_opens_no_group_starts_no_bargain_and_draws_nothing(
    campaigns_db,
):
    campaign = await _cancelled_campaign(campaigns_db)
    async with campaigns_db.session() as session:
        group_buy = await groups.create_template(
            session,
            GroupTerms(
                name="2 人团",
                campaign_id=campaign.id,
                sku_id=new_id(),
                group_size=2,
                group_price=cny(10_00),
            ),
            new_id(),
        )
    async with campaigns_db.session() as session:
        bargain = await bargains.create_template(
            session,
            BargainTerms(
                name="砍价",
                campaign_id=campaign.id,
                sku_id=new_id(),
                start_price=cny(10_00),
                helps=2,
                floor_price=cny(0),
            ),
            new_id(),
        )
    async with campaigns_db.session() as session:
        with pytest.raises(Conflict, match=f"group buy {group_buy.id} is cancelled"):
            await groups.open_group(session, group_buy.id, new_id())
        with pytest.raises(Conflict, match=f"bargain {bargain.id} is cancelled"):
            await bargains.start(session, bargain.id, new_id())
    pool = await lottery(campaigns_db, campaign_id=campaign.id)
    refused = await draw(campaigns_db, pool.id, new_id(), during(pool))
    assert refused == f"The campaign of lottery {pool.id} is cancelled."
