"""Draws under real concurrency on PostgreSQL: shops that read the stock before they award
give a prize of stock 1 to several winners, and those that count chances before they write
let a customer draw past their chances. Here neither happens, and the log still verifies."""

import asyncio

import pytest
from lotteries_setup import draw, during, lottery
from sqlalchemy import select

from chassis.ids import new_id
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
