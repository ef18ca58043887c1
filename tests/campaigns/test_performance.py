"""Campaign performance: paid orders attributed once per campaign (named on the order, or
through its coupons or flash reservation), reach, claims, redemptions, spend and ROI."""

from saga_events import apply_step, claimed_coupon, paid, placed

from chassis.ids import new_id
from contracts.orders import Attribution
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.checkout import saga
from services.campaigns.performance import service
from services.campaigns.performance.roi import roi


def test_roi_is_gmv_per_unit_spent():
    assert roi(1_000_00, 40_00) == 25.0
    assert roi(100, 300) == 0.33
    assert roi(5_000, 0) is None


async def _campaign(db, budget=None):
    plan = CampaignPlan(
        name="Double 12",
        kind="holiday_sale",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
        budget=budget,
    )
    async with db.session() as session:
        return await calendar.plan(session, plan, new_id())


async def test_paid_orders_count_once_for_each_campaign_behind_them(campaigns_db):
    campaign = await _campaign(campaigns_db, {"amount": 1_000_00, "currency": "CNY"})
    named = await _campaign(campaigns_db)
    buyer, claimer = new_id(), new_id()
    coupon = await claimed_coupon(campaigns_db, buyer, campaign.id)
    await claimed_coupon(campaigns_db, claimer, campaign.id)  # claimed, never used
    order = placed(buyer, [coupon.id])
    order = order.model_copy(
        update={"attribution": Attribution(coupon_ids=[coupon.id], campaign_ids=[named.id])}
    )
    assert await apply_step(campaigns_db, saga.lock, order)
    for step in (saga.redeem, service.attribute, service.attribute):  # paid, delivered twice
        await apply_step(campaigns_db, step, paid(order))

    async with campaigns_db.session() as session:
        found = await service.of(session, campaign.id)
        by_name = await service.of(session, named.id)
    assert (found.reach, found.claims, found.redemptions, found.orders) == (2, 2, 1, 1)
    assert (found.gmv, found.spend, found.currency) == (320_00, 40_00, "CNY")
    assert found.roi == 8.0
    assert (by_name.orders, by_name.gmv, by_name.spend, by_name.roi) == (1, 320_00, 0, None)
