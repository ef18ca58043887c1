"""Claimed coupons past their validity expire once, with `coupon.expired`; a locked coupon
waits for its order; racing expiry loops (PostgreSQL) expire each coupon once; an expired
coupon prices and locks as expired."""

import asyncio
import json
from datetime import timedelta

from saga_events import apply_step, claimed_coupon, placed
from sqlalchemy import select, update

from chassis.clock import now
from chassis.events.tables import outbox
from chassis.ids import new_id
from services.campaigns.checkout import saga
from services.campaigns.coupons import expiry
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.pricing import CouponStatus

EXPIRED = "flywheel.campaigns.coupon.expired.v1"


async def _age(db, coupon_id, days: int = 8) -> None:
    """As if the coupon had been claimed `days` ago (its validity is 7 days)."""
    async with db.session() as session:
        coupon = await session.get(Coupon, coupon_id)
        await session.execute(
            update(Coupon)
            .where(Coupon.id == coupon_id)
            .values(
                valid_from=coupon.valid_from - timedelta(days=days),
                valid_until=coupon.valid_until - timedelta(days=days),
            )
        )
        await session.commit()


async def _status(db, coupon_id) -> str:
    async with db.session() as session:
        return (await session.get(Coupon, coupon_id)).status


async def _expired_events(db) -> list[str]:
    async with db.session() as session:
        rows = await session.execute(select(outbox.c.payload).where(outbox.c.type == EXPIRED))
    return sorted(json.loads(payload)["data"]["coupon_id"] for (payload,) in rows)


async def _expire(db) -> int:
    async with db.session() as session:
        return await expiry.expire_due(session, now())


async def test_a_claimed_coupon_past_its_validity_expires_once(campaigns_db):
    holder = new_id()
    old, fresh, locked = [await claimed_coupon(campaigns_db, holder) for _ in range(3)]
    assert await apply_step(campaigns_db, saga.lock, placed(holder, [locked.id]))
    for coupon in (old, locked):
        await _age(campaigns_db, coupon.id)
    assert await _expire(campaigns_db) == 1
    assert await _expire(campaigns_db) == 0
    assert [await _status(campaigns_db, c.id) for c in (old, fresh, locked)] == [
        "expired",
        "claimed",
        "locked",  # its order decides: a cancel gives it back claimed, to expire next turn
    ]
    assert await _expired_events(campaigns_db) == [str(old.id)]


async def test_an_expired_coupon_locks_for_no_order(campaigns_db):
    holder = new_id()
    coupon = await claimed_coupon(campaigns_db, holder)
    async with campaigns_db.session() as session:  # expired by status, whatever its dates say
        await session.execute(
            update(Coupon).where(Coupon.id == coupon.id).values(status=CouponStatus.EXPIRED)
        )
        await session.commit()
    assert not await apply_step(campaigns_db, saga.lock, placed(holder, [coupon.id]))


async def test_racing_expiry_loops_expire_each_coupon_once(postgres_db):
    holder = new_id()
    coupons = [await claimed_coupon(postgres_db, holder) for _ in range(30)]
    for coupon in coupons:
        await _age(postgres_db, coupon.id)

    async def loop() -> int:
        async with postgres_db.session() as session:
            return await expiry.expire_due(session, now(), batch=7)

    expired = 0
    for _ in range(6):
        expired += sum(await asyncio.gather(*(loop() for _ in range(3))))
    assert expired == 30
    assert await _expired_events(postgres_db) == sorted(str(c.id) for c in coupons)
