"""Draws under real concurrency on PostgreSQL: shops that read the stock before they award
give a prize of stock 1 to several winners, and those that count chances before they write
let a customer draw past their chances. Here neither happens, and the log still verifies."""

import asyncio

import pytest
from lotteries_setup import ITEM, draw, during, lottery
from sqlalchemy import func, select

from chassis.events.tables import outbox
from chassis.ids import new_id
from services.campaigns.budgets.models import Budget
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.lotteries import service
from services.campaigns.lotteries.models import Draw, Prize

pytestmark = pytest.mark.postgres


async def test_twenty_racing_draws_award_a_prize_of_stock_one_once(postgres_db):
    pool = await lottery(postgres_db)  # one prize, weight 1, stock 1, no "no prize" odds
    at = during(pool)
    results = await asyncio.gather(*(draw(postgres_db, pool.id, new_id(), at) for _ in range(20)))
    assert all(isinstance(r, Draw) for r in results)  # everyone drew
    assert all(r.picked_position == 0 for r in results)  # and the roll picked the prize
    assert [r.prize_id for r in results].count(pool.prizes[0].id) == 1
    async with postgres_db.session() as session:
        assert (await session.get(Prize, pool.prizes[0].id)).stock_left == 0
        closed = await session.get(service.Lottery, pool.id)
        count, findings = await service.verify(session, closed)
    assert (count, findings) == (20, [])


async def test_one_customer_racing_draws_uses_each_chance_once(postgres_db):
    pool = await lottery(
        postgres_db,
        prizes=[{"name": "¥1", "kind": "points", "weight": 1, "stock": 1_000, "points": 100}],
        no_prize_weight=1,
        draws_per_day=3,
    )
    user, at = new_id(), during(pool)
    results = await asyncio.gather(*(draw(postgres_db, pool.id, user, at) for _ in range(15)))
    drawn = [r for r in results if isinstance(r, Draw)]
    assert sorted(r.counter for r in drawn) == [1, 2, 3]
    assert (
        results.count(f"You have no chances left in lottery {pool.id}; come back tomorrow.") == 12
    )
    async with postgres_db.session() as session:
        counters = sorted(await session.scalars(select(Draw.counter).where(Draw.user_id == user)))
    assert counters == [1, 2, 3]


async def _draw_as_the_route_does(db, lottery_id, user_id, at) -> Draw | str:
    """A draw; one the budget refuses stops the campaign's awards (as the route does)."""
    async with db.session() as session:
        try:
            entry = await service.draw(session, lottery_id, user_id, at)
        except service.BudgetSpent as spent:
            await service.stop_awarding(session, spent.campaign_id)
            return spent.detail
        await session.commit()
        return entry


async def test_prizes_awarded_against_a_budget_for_fifty_stop_at_fifty(postgres_db):
    """100 racing draws of a sure prize costing ¥1 against a ¥50 budget: the shops that read
    the spend before they award give all 100. Here 50 are awarded, 50 refused, the budget
    is spent to the fen, announced exhausted once, and the log still verifies."""
    plan = CampaignPlan(
        name="抽奖节",
        kind="holiday_sale",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
        budget={"amount": 50_00, "currency": "CNY"},
    )
    async with postgres_db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
    prize = ITEM | {"stock": 1_000, "cost": {"amount": 1_00, "currency": "CNY"}}
    pool = await lottery(postgres_db, prizes=[prize], campaign_id=campaign.id)
    at = during(pool)
    results = await asyncio.gather(
        *(_draw_as_the_route_does(postgres_db, pool.id, new_id(), at) for _ in range(100))
    )
    awarded = [r for r in results if isinstance(r, Draw)]
    assert len(awarded) == 50
    assert all(r.prize_id == pool.prizes[0].id for r in awarded)
    assert results.count(f"The budget of campaign {campaign.id} is spent: no more draws.") == 50
    async with postgres_db.session() as session:
        budget = await session.get(Budget, campaign.id)
        assert (budget.spent, budget.exhausted_at is not None) == (50_00, True)
        assert (await session.get(Prize, pool.prizes[0].id)).stock_left == 1_000 - 50
        exhausted = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.campaigns.budget.exhausted.v1")
        )
        assert exhausted == 1
        count, findings = await service.verify(session, await session.get(service.Lottery, pool.id))
    assert (count, findings) == (50, [])  # the refused draws left no trace to verify
