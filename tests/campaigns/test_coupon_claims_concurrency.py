"""Claims under real concurrency on PostgreSQL: the shops that count before they insert
hand out a coupon of total 1 nine times; here the total and the per-customer limit hold."""

import asyncio

import pytest
from sqlalchemy import func, select

from chassis.http.problems import Conflict
from chassis.ids import new_id
from services.campaigns.coupons import service
from services.campaigns.coupons.models import Coupon, CouponTemplate
from services.campaigns.coupons.schemas import TemplateRequest


async def _template(db, **terms) -> CouponTemplate:
    body = TemplateRequest(
        name="¥10 off",
        kind="fixed",
        currency="CNY",
        amount_off=10_00,
        valid_days=7,
        **({"total_quantity": 1} | terms),
    )
    async with db.session() as session:
        return await service.create_template(session, body, new_id())


async def _claim(db, template_id, holder_id) -> bool:
    async with db.session() as session:
        try:
            await service.claim(session, template_id, holder_id)
            await session.commit()
        except Conflict:
            return False
        return True


async def _held(db, template_id) -> list[Coupon]:
    async with db.session() as session:
        return list(await session.scalars(select(Coupon).where(Coupon.template_id == template_id)))


async def test_fifty_customers_racing_for_a_coupon_of_total_one_get_one(postgres_db):
    db = postgres_db
    template = await _template(db, total_quantity=1)
    won = await asyncio.gather(*(_claim(db, template.id, new_id()) for _ in range(50)))
    assert won.count(True) == 1
    assert len(await _held(db, template.id)) == 1
    async with db.session() as session:
        assert (await session.get(CouponTemplate, template.id)).claimed == 1


async def test_one_customer_racing_twenty_claims_stays_within_the_limit(postgres_db):
    db = postgres_db
    template = await _template(db, total_quantity=100, per_user_limit=3)
    holder = new_id()
    won = await asyncio.gather(*(_claim(db, template.id, holder) for _ in range(20)))
    held = await _held(db, template.id)
    assert sorted(c.claim_number for c in held) == [1, 2, 3]
    assert won.count(True) <= 3
    async with db.session() as session:
        # A claim that lost the race for a number gave back what it took of the total.
        assert (await session.get(CouponTemplate, template.id)).claimed == len(held)


async def test_many_customers_racing_for_a_total_get_exactly_the_total(postgres_db):
    db = postgres_db
    template = await _template(db, total_quantity=7)
    won = await asyncio.gather(*(_claim(db, template.id, new_id()) for _ in range(40)))
    assert won.count(True) == 7
    async with db.session() as session:
        count = await session.scalar(select(func.count()).where(Coupon.template_id == template.id))
    assert count == 7


@pytest.mark.parametrize("limit", [1, 2])
async def test_claims_in_turn_stop_at_the_limit(campaigns_db, limit):
    template = await _template(campaigns_db, total_quantity=10, per_user_limit=limit)
    holder = new_id()
    results = [await _claim(campaigns_db, template.id, holder) for _ in range(limit + 2)]
    assert results == [True] * limit + [False, False]
