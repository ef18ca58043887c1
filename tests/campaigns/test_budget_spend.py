"""Spend in an event: every budget charge and release stages `budget.spend_changed` with the
running total, in its transaction, so racing charges and releases on PostgreSQL end with the
right total and their events in the order of the changes; and the gap a campaign's prices
made on an order (list price minus campaign price, times the quantity) is charged when the
order is locked and given back once by its cancel, delivered twice."""

import asyncio
import json
from collections import Counter
from datetime import timedelta

from saga_events import apply_step, cancelled, claimed_coupon, cny, placed
from sqlalchemy import select, update
from test_budgets import _campaign, _charge, _release

from chassis.clock import now
from chassis.events.tables import outbox
from chassis.ids import new_id
from contracts.orders import Attribution, OrderLine
from services.campaigns.budgets.models import Budget
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.lifecycle import CampaignState
from services.campaigns.calendar.models import Campaign
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.checkout import consumers, saga
from services.campaigns.prices import campaign_prices
from services.campaigns.prices.schemas import CampaignPricesRequest

SPEND_CHANGED = "flywheel.campaigns.budget.spend_changed.v1"
TEA, CUP = new_id(), new_id()


async def _spend_events(db, campaign_id) -> list[int]:
    """The running totals `budget.spend_changed` carries for the campaign, in outbox order."""
    async with db.session() as session:
        rows = await session.scalars(
            select(outbox.c.payload)
            .where(outbox.c.type == SPEND_CHANGED, outbox.c.key == str(campaign_id))
            .order_by(outbox.c.seq)
        )
        events = [json.loads(row)["data"] for row in rows]
    assert all(e["budget"]["currency"] == "CNY" for e in events)
    return [e["spent"]["amount"] for e in events]


async def test_racing_charges_and_releases_end_right_and_announce_their_totals_in_order(
    postgres_db,
):
    campaign = await _campaign(postgres_db, 1_000_000)
    first = {f"first:{n}": 100 + n for n in range(10)}
    for key, amount in first.items():
        assert await _charge(postgres_db, campaign.id, key, amount)
    released = list(first)[:8]
    second = {f"second:{n}": n + 1 for n in range(30)}
    await asyncio.gather(
        *(_release(postgres_db, key) for key in released),
        *(_charge(postgres_db, campaign.id, key, amount) for key, amount in second.items()),
    )
    spent = sum(first.values()) - sum(first[k] for k in released) + sum(second.values())
    async with postgres_db.session() as session:
        assert (await session.get(Budget, campaign.id)).spent == spent
    totals = await _spend_events(postgres_db, campaign.id)
    assert len(totals) == 10 + 8 + 30
    assert totals[-1] == spent
    # In order: each event's total is the one before it moved by one charge or release.
    steps = Counter(b - a for a, b in zip([0, *totals], totals, strict=False))
    expected = Counter([*first.values(), *(-first[k] for k in released), *second.values()])
    assert steps == expected


async def _priced_campaign(db, budget: int) -> Campaign:
    """A running campaign with a budget, selling the tea at ¥280 (its list price ¥320)."""
    plan = CampaignPlan(
        name="双十二",
        kind="holiday_sale",
        starts_at=now() - timedelta(hours=1),
        ends_at=now() + timedelta(days=1),
        sku_ids=[TEA, CUP],
        budget={"amount": budget, "currency": "CNY"},
    )
    async with db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
        await session.execute(
            update(Campaign).where(Campaign.id == campaign.id).values(state=CampaignState.RUNNING)
        )
        await session.commit()
    body = CampaignPricesRequest(prices=[{"sku_id": TEA, "price": cny(280_00)}])
    async with db.session() as session:
        await campaign_prices.set_for(session, campaign.id, body)
    return campaign


def _order(holder, campaign_id, coupon_ids=()):
    """Two teas at the campaign price, and a cup at its list price."""
    tea = OrderLine(
        sku_id=TEA,
        quantity=2,
        list_price=cny(320_00),
        unit_price=cny(280_00),
        paid=cny(560_00),
    )
    cup = OrderLine(
        sku_id=CUP, quantity=1, list_price=cny(50_00), unit_price=cny(50_00), paid=cny(50_00)
    )
    order = placed(holder, list(coupon_ids), tea, cup)
    attribution = Attribution(campaign_ids=[campaign_id], coupon_ids=list(coupon_ids))
    return order.model_copy(update={"attribution": attribution})


async def _consume(db, handler, event) -> None:
    """The consumer's handler, in a transaction of its own (the inbox aside)."""
    async with db.session() as session, session.begin():
        await handler(event, session)


async def _spent(db, campaign_id) -> int:
    async with db.session() as session:
        return (await session.get(Budget, campaign_id)).spent


async def test_a_campaign_prices_gap_is_charged_at_the_lock_and_released_once(campaigns_db):
    campaign = await _priced_campaign(campaigns_db, 1_000_00)
    holder = new_id()
    coupon = await claimed_coupon(campaigns_db, holder)  # ¥40 off ¥300, no campaign's
    order = _order(holder, campaign.id, [coupon.id])
    assert await apply_step(campaigns_db, saga.lock, order)
    assert await _spent(campaigns_db, campaign.id) == 2 * 40_00
    assert await apply_step(campaigns_db, saga.lock, order) is False  # redelivered: in use
    assert await _spent(campaigns_db, campaign.id) == 2 * 40_00

    cancel = cancelled(order)
    await apply_step(campaigns_db, saga.release, cancel)
    await apply_step(campaigns_db, saga.release, cancel)  # delivered twice
    assert await _spent(campaigns_db, campaign.id) == 0
    assert await _spend_events(campaigns_db, campaign.id) == [80_00, 0]


async def test_an_order_with_only_campaign_prices_is_charged_and_refuses_nothing(
    campaigns_db,
):
    campaign = await _priced_campaign(campaigns_db, 100_00)
    first, second = _order(new_id(), campaign.id), _order(new_id(), campaign.id)
    await _consume(campaigns_db, consumers.on_order_placed, first)
    await _consume(campaigns_db, consumers.on_order_placed, second)  # ¥80 more: no room
    assert await _spent(campaigns_db, campaign.id) == 80_00
    async with campaigns_db.session() as session:
        assert (await session.get(Budget, campaign.id)).exhausted_at is not None
    await _consume(campaigns_db, consumers.on_order_cancelled, cancelled(second))
    assert await _spent(campaigns_db, campaign.id) == 80_00  # nothing of its was taken
    await _consume(campaigns_db, consumers.on_order_cancelled, cancelled(first))
    assert await _spend_events(campaigns_db, campaign.id) == [80_00, 0]
