"""The coupon side of the order saga, on the database (both backends) and under real
concurrency on PostgreSQL: shops whose "mark used" UPDATE does not check the status let
one coupon pay for two orders; here it is locked by one, redeemed once, released once."""

import asyncio
import json

from saga_events import apply_step, cancelled, claimed_coupon, line, paid, placed, refunded
from sqlalchemy import select

from chassis.events.tables import outbox
from chassis.ids import new_id
from contracts.orders import CancelReason
from services.campaigns.budgets.models import Budget
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.checkout import saga
from services.campaigns.coupons.models import Coupon


async def _coupon_row(db, coupon_id) -> Coupon:
    async with db.session() as session:
        return await session.get(Coupon, coupon_id)


async def _events(db, type_: str) -> list[dict]:
    async with db.session() as session:
        rows = await session.execute(select(outbox.c.payload).where(outbox.c.type == type_))
    return [json.loads(payload)["data"] for (payload,) in rows]


async def test_lock_redeem_and_a_second_payment_changes_nothing(campaigns_db):
    holder = new_id()
    coupon = await claimed_coupon(campaigns_db, holder)
    order = placed(holder, [coupon.id])
    assert await apply_step(campaigns_db, saga.lock, order)
    row = await _coupon_row(campaigns_db, coupon.id)
    assert (row.status, row.order_id, row.discount) == ("locked", order.order_id, 40_00)
    await apply_step(campaigns_db, saga.redeem, paid(order))
    await apply_step(campaigns_db, saga.redeem, paid(order))
    assert (await _coupon_row(campaigns_db, coupon.id)).status == "redeemed"
    redeemed = await _events(campaigns_db, "flywheel.campaigns.coupons.redeemed.v1")
    assert [e["discount"] for e in redeemed] == [{"amount": 40_00, "currency": "CNY"}]
    # Spent: a later order cannot lock it, and a cancel of the paid order gives nothing back.
    assert not await apply_step(campaigns_db, saga.lock, placed(holder, [coupon.id]))
    await apply_step(campaigns_db, saga.release, cancelled(order))
    assert (await _coupon_row(campaigns_db, coupon.id)).status == "redeemed"


async def test_a_cancel_delivered_twice_releases_once(campaigns_db):
    holder = new_id()
    coupon = await claimed_coupon(campaigns_db, holder)
    order = placed(holder, [coupon.id])
    assert await apply_step(campaigns_db, saga.lock, order)
    await apply_step(campaigns_db, saga.release, cancelled(order, CancelReason.PAYMENT_TIMEOUT))
    await apply_step(campaigns_db, saga.release, cancelled(order, CancelReason.CUSTOMER))
    row = await _coupon_row(campaigns_db, coupon.id)
    assert (row.status, row.order_id, row.discount) == ("claimed", None, None)
    released = await _events(campaigns_db, "flywheel.campaigns.coupons.released.v1")
    assert [e["order_id"] for e in released] == [str(order.order_id)]
    assert await apply_step(campaigns_db, saga.lock, placed(holder, [coupon.id]))  # usable again


async def test_all_or_none_an_order_with_one_bad_coupon_locks_nothing(campaigns_db):
    holder = new_id()
    good = await claimed_coupon(campaigns_db, holder)
    others = await claimed_coupon(campaigns_db, new_id(), stacking_group="platform")
    assert not await apply_step(campaigns_db, saga.lock, placed(holder, [good.id, others.id]))
    assert (await _coupon_row(campaigns_db, good.id)).status == "claimed"
    same_group = await claimed_coupon(
        campaigns_db, holder, amount_off=5_00, kind="fixed", threshold=0
    )
    assert not await apply_step(campaigns_db, saga.lock, placed(holder, [good.id, same_group.id]))
    below = placed(holder, [good.id], line(price=299_00))
    assert not await apply_step(campaigns_db, saga.lock, below)
    reasons = [
        e["reason"] for e in await _events(campaigns_db, "flywheel.campaigns.coupons.refused.v1")
    ]
    assert reasons == [
        f"coupon {others.id}: not_found",
        "two coupons of stacking group 'default': stacking",
        f"coupon {good.id}: below_threshold",
    ]
    assert (await _coupon_row(campaigns_db, good.id)).status == "claimed"


async def test_a_lock_takes_the_budget_and_a_release_gives_it_back(campaigns_db):
    plan = CampaignPlan(
        name="Budgeted",
        kind="holiday_sale",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
        budget={"amount": 50_00, "currency": "CNY"},
    )
    async with campaigns_db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
    first, second = new_id(), new_id()
    a = await claimed_coupon(campaigns_db, first, campaign.id)
    b = await claimed_coupon(campaigns_db, second, campaign.id)
    order = placed(first, [a.id])
    assert await apply_step(campaigns_db, saga.lock, order)
    # ¥40 of ¥50 is spent: the second ¥40 does not fit, and nothing of it is locked.
    assert not await apply_step(campaigns_db, saga.lock, placed(second, [b.id]))
    assert (await _coupon_row(campaigns_db, b.id)).status == "claimed"
    async with campaigns_db.session() as session:
        budget = await session.get(Budget, campaign.id)
        assert (budget.spent, budget.exhausted_at is not None) == (40_00, True)
    await apply_step(campaigns_db, saga.release, cancelled(order))
    async with campaigns_db.session() as session:
        assert (await session.get(Budget, campaign.id)).spent == 0
    assert await apply_step(campaigns_db, saga.lock, placed(second, [b.id]))
    assert len(await _events(campaigns_db, "flywheel.campaigns.budget.exhausted.v1")) == 1


async def test_one_coupon_in_racing_orders_is_locked_by_one(postgres_db):
    holder = new_id()
    coupon = await claimed_coupon(postgres_db, holder)
    orders = [placed(holder, [coupon.id]) for _ in range(10)]
    locked = await asyncio.gather(*(apply_step(postgres_db, saga.lock, o) for o in orders))
    assert locked.count(True) == 1
    winner = orders[locked.index(True)]
    assert (await _coupon_row(postgres_db, coupon.id)).order_id == winner.order_id
    assert len(await _events(postgres_db, "flywheel.campaigns.coupons.refused.v1")) == 9
    # Racing payment of the winner and cancels of the losers: still one redemption.
    await asyncio.gather(
        apply_step(postgres_db, saga.redeem, paid(winner)),
        apply_step(postgres_db, saga.redeem, paid(winner)),
        *(apply_step(postgres_db, saga.release, cancelled(o)) for o in orders if o is not winner),
    )
    assert (await _coupon_row(postgres_db, coupon.id)).status == "redeemed"
    assert len(await _events(postgres_db, "flywheel.campaigns.coupons.redeemed.v1")) == 1
    assert await _events(postgres_db, "flywheel.campaigns.coupons.released.v1") == []


async def test_a_refund_gives_back_the_coupons_whose_template_says_so_once(campaigns_db):
    holder = new_id()
    plan = CampaignPlan(
        name="退款返券",
        kind="holiday_sale",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
        budget={"amount": 100_00, "currency": "CNY"},
    )
    async with campaigns_db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
    back = await claimed_coupon(
        campaigns_db, holder, campaign.id, restore_on_refund=True, stacking_group="shop"
    )
    kept = await claimed_coupon(campaigns_db, holder, kind="fixed", amount_off=5_00, threshold=0)
    order = placed(holder, [back.id, kept.id])
    assert await apply_step(campaigns_db, saga.lock, order)
    await apply_step(campaigns_db, saga.redeem, paid(order))
    async with campaigns_db.session() as session:
        assert (await session.get(Budget, campaign.id)).spent == 40_00
    refund = refunded(order)
    await apply_step(campaigns_db, saga.restore, refund)
    await apply_step(campaigns_db, saga.restore, refund)  # redelivered
    row = await _coupon_row(campaigns_db, back.id)
    assert (row.status, row.order_id, row.discount, row.redeemed_at) == (
        "claimed",
        None,
        None,
        None,
    )
    assert (await _coupon_row(campaigns_db, kept.id)).status == "redeemed"  # its template: no
    restored = await _events(campaigns_db, "flywheel.campaigns.coupons.restored.v1")
    assert [e["coupon_ids"] for e in restored] == [[str(back.id)]]
    async with campaigns_db.session() as session:
        assert (await session.get(Budget, campaign.id)).spent == 0  # the charge given back
    # Spent again on another order: the old refund, delivered late, takes nothing back.
    again = placed(holder, [back.id])
    assert await apply_step(campaigns_db, saga.lock, again)
    await apply_step(campaigns_db, saga.redeem, paid(again))
    await apply_step(campaigns_db, saga.restore, refund)
    assert (await _coupon_row(campaigns_db, back.id)).status == "redeemed"
    assert len(await _events(campaigns_db, "flywheel.campaigns.coupons.restored.v1")) == 1
