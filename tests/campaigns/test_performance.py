"""Campaign performance: paid orders attributed once per campaign (named on the order, or
through its coupons, flash reservation, group or bargain), refunds taken off their GMV,
reach, claims, redemptions, spend and ROI."""

from bargains_setup import help_or_why, start_bargain
from group_buys import open_group
from saga_events import apply_step, claimed_coupon, cny, line, paid, placed, refunded

from chassis.ids import new_id
from contracts.orders import Attribution
from services.campaigns.bargains import service as bargains
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.checkout import saga
from services.campaigns.groups import service as groups
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


async def test_group_and_bargain_orders_count_for_their_templates_campaigns(campaigns_db):
    group_sale, bargain_sale = await _campaign(campaigns_db), await _campaign(campaigns_db)
    group = await open_group(campaigns_db, size=2, campaign_id=group_sale.id)
    bought = placed(group.leader_id, [], line(price=59_00)).model_copy(
        update={"attribution": Attribution(group_id=group.id)}
    )
    assert await apply_step(campaigns_db, groups.link_order, bought)
    bargain = await start_bargain(
        campaigns_db, start=2_00, floor=1_00, helps=1, campaign_id=bargain_sale.id
    )
    assert await help_or_why(campaigns_db, bargain.id, new_id()) == 1_00
    floor = placed(bargain.starter_id, [], line(bargain.sku_id, 1_00)).model_copy(
        update={"attribution": Attribution(bargain_id=bargain.id)}
    )
    assert await apply_step(campaigns_db, bargains.record_order, floor)
    for order in (bought, floor, placed(new_id(), [])):  # the last: no campaign behind it
        await apply_step(campaigns_db, service.attribute, paid(order))
    async with campaigns_db.session() as session:
        by_group = await service.of(session, group_sale.id)
        by_bargain = await service.of(session, bargain_sale.id)
    assert (by_group.orders, by_group.gmv) == (1, 59_00)
    assert (by_bargain.orders, by_bargain.gmv) == (1, 1_00)


async def test_refunds_come_off_the_gmv_once_in_whichever_order_they_arrive(campaigns_db):
    campaign = await _campaign(campaigns_db, {"amount": 1_000_00, "currency": "CNY"})
    buyer = new_id()
    coupon = await claimed_coupon(campaigns_db, buyer, campaign.id)
    order = placed(buyer, [coupon.id])
    assert await apply_step(campaigns_db, saga.lock, order)
    partly = refunded(order).model_copy(update={"amount": cny(120_00)})
    elsewhere = refunded(placed(new_id(), []))  # an order no campaign is behind
    # The refund's topic is not the payment's: here it is consumed first, and twice.
    for event in (partly, partly, elsewhere):
        await apply_step(campaigns_db, service.record_refund, event)
    await apply_step(campaigns_db, saga.redeem, paid(order))
    await apply_step(campaigns_db, service.attribute, paid(order))
    async with campaigns_db.session() as session:
        found = await service.of(session, campaign.id)
    assert (found.gmv, found.refunded, found.net_gmv, found.spend) == (
        320_00,
        120_00,
        200_00,
        40_00,
    )
    assert found.roi == 5.0  # net GMV per unit spent
