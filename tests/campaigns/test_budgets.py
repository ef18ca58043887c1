"""Budgets under real concurrency on PostgreSQL: the shops that check the balance and then
add overspend, and their checkout rollback (read, subtract, write) loses a concurrent
charge. Here charges stop exactly at the budget and a release gives back what it took."""

import asyncio

from sqlalchemy import func, select

from chassis.events.tables import outbox
from chassis.ids import new_id
from services.campaigns.budgets import service as budgets
from services.campaigns.budgets.models import Budget, BudgetCharge
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.schemas import CampaignPlan


async def _campaign(db, budget: int) -> object:
    plan = CampaignPlan(
        name="Budgeted",
        kind="holiday_sale",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
        budget={"amount": budget, "currency": "CNY"},
    )
    async with db.session() as session:
        return await calendar.plan(session, plan, new_id())


async def _charge(db, campaign_id, key: str, amount: int = 1) -> bool:
    async with db.session() as session:
        taken = await budgets.charge(session, campaign_id, key, amount)
        if not taken:
            await budgets.exhaust(session, campaign_id)
        await session.commit()
        return taken


async def _release(db, key: str) -> int:
    async with db.session() as session:
        given = await budgets.release(session, key)
        await session.commit()
        return given


async def _budget(db, campaign_id) -> Budget:
    async with db.session() as session:
        return await session.get(Budget, campaign_id)


async def _exhausted_events(db) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.campaigns.budget.exhausted.v1")
        )


async def test_a_hundred_racing_charges_against_a_budget_for_fifty_take_fifty(postgres_db):
    campaign = await _campaign(postgres_db, 50)
    taken = await asyncio.gather(
        *(_charge(postgres_db, campaign.id, f"coupon:{n}") for n in range(100))
    )
    assert taken.count(True) == 50
    budget = await _budget(postgres_db, campaign.id)
    assert budget.spent == 50
    assert budget.exhausted_at is not None
    assert await _exhausted_events(postgres_db) == 1


async def test_releases_racing_charges_lose_none_of_them(postgres_db):
    campaign = await _campaign(postgres_db, 1_000)
    for n in range(30):
        assert await _charge(postgres_db, campaign.id, f"first:{n}", 10)
    await asyncio.gather(
        *(_release(postgres_db, f"first:{n}") for n in range(15)),
        *(_charge(postgres_db, campaign.id, f"second:{n}", 7) for n in range(20)),
    )
    async with postgres_db.session() as session:
        held = await session.scalar(
            select(func.sum(BudgetCharge.amount)).where(BudgetCharge.released_at.is_(None))
        )
    assert held == 15 * 10 + 20 * 7
    assert (await _budget(postgres_db, campaign.id)).spent == held


async def test_a_release_gives_back_exactly_what_it_took_once(campaigns_db):
    campaign = await _campaign(campaigns_db, 100)
    assert await _charge(campaigns_db, campaign.id, "coupon:a", 60)
    assert await _charge(
        campaigns_db, campaign.id, "coupon:a", 60
    )  # the same key: no second charge
    assert (await _budget(campaigns_db, campaign.id)).spent == 60
    assert not await _charge(campaigns_db, campaign.id, "coupon:b", 41)
    assert (await _budget(campaigns_db, campaign.id)).exhausted_at is not None
    assert await _release(campaigns_db, "coupon:a") == 60
    assert await _release(campaigns_db, "coupon:a") == 0  # redelivered: nothing twice
    assert await _release(campaigns_db, "coupon:unknown") == 0
    budget = await _budget(campaigns_db, campaign.id)
    assert (budget.spent, budget.exhausted_at) == (0, None)
    assert await _charge(campaigns_db, campaign.id, "coupon:b", 41)  # room again


async def test_a_campaign_without_a_budget_takes_any_spend(campaigns_db):
    plan = CampaignPlan(
        name="Unbudgeted",
        kind="brand_day",
        starts_at="2036-01-01T00:00:00Z",
        ends_at="2036-01-02T00:00:00Z",
    )
    async with campaigns_db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
    assert await _charge(campaigns_db, campaign.id, "any", 10**12)
