"""Flash reservations under real concurrency, on PostgreSQL (the database path) and on Redis
(the Lua path): shops that check the per-customer limit before writing it let a customer
buy twice, and those that restore stock per cancel event restore it twice on redelivery.
Here 2,000 racing reservations from 500 customers against stock 100 with a limit of 1
reserve exactly 100, nobody holds more than 1, and stock comes back exactly once."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flash_setup import forget, open_session, reserve, written_down
from redis.asyncio import Redis
from sqlalchemy import func, select

from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.testing import need
from services.campaigns.flash import service
from services.campaigns.flash.models import FlashHolding, FlashItem, FlashReservation
from services.campaigns.flash.stock import DatabaseStock, RedisStock, keys

pytestmark = pytest.mark.postgres
SKU = new_id()


@pytest.fixture(params=["database", "redis"])
async def stock(request):
    if request.param == "database":
        yield DatabaseStock()
        return
    need("Redis", 6379)
    store = RedisStock(Redis.from_url("redis://127.0.0.1:6379/0"))
    store.created = []  # the items whose keys the test leaves behind
    yield store
    await forget(store)
    await store.close()


async def _session(db, stock, units: int, limit: int):
    return await open_session(db, stock, SKU, units, limit)


async def _reserve(db, stock, session_id, customer_id) -> bool:
    try:
        await reserve(db, stock, session_id, customer_id, SKU)
    except Conflict:
        return False
    return True


async def _left(db, stock, item_id) -> int:
    async with db.session() as session:
        item = await session.get(FlashItem, item_id)
        return (await stock.left(session, [item]))[item.id]


async def test_two_thousand_racing_reservations_take_exactly_the_stock(postgres_db, stock):
    flash = await _session(postgres_db, stock, units=100, limit=1)
    customers = [new_id() for _ in range(500)]
    attempts = [c for c in customers for _ in range(4)]
    won = await asyncio.gather(*(_reserve(postgres_db, stock, flash.id, c) for c in attempts))
    assert won.count(True) == 100
    await written_down(postgres_db, stock, flash.id)
    async with postgres_db.session() as session:
        held = Counter(await session.scalars(select(FlashReservation.customer_id)))
    assert sum(held.values()) == 100
    assert max(held.values()) == 1  # nobody over the limit
    assert await _left(postgres_db, stock, flash.items[0].id) == 0


async def test_racing_reservations_of_one_customer_stay_within_the_limit(postgres_db, stock):
    flash = await _session(postgres_db, stock, units=50, limit=3)
    customer = new_id()
    won = await asyncio.gather(
        *(_reserve(postgres_db, stock, flash.id, customer) for _ in range(40))
    )
    assert won.count(True) == 3
    assert await _left(postgres_db, stock, flash.items[0].id) == 47


async def test_expired_reservations_give_their_stock_back_exactly_once(postgres_db, stock):
    flash = await _session(postgres_db, stock, units=30, limit=1)
    customers = [new_id() for _ in range(30)]
    assert all(
        await asyncio.gather(*(_reserve(postgres_db, stock, flash.id, c) for c in customers))
    )
    await written_down(postgres_db, stock, flash.id)
    later = datetime.now(UTC) + timedelta(days=1)

    async def expire() -> int:
        async with postgres_db.session() as session:
            return await service.expire_due(session, later)

    async def restore() -> int:
        async with postgres_db.session() as session:
            return await service.restore_pending(session, stock)

    # The expiry delivered twice, and restores racing each other.
    assert sum(await asyncio.gather(expire(), expire())) == 30
    assert sum(await asyncio.gather(restore(), restore(), restore())) == 30
    assert await restore() == 0
    assert await _left(postgres_db, stock, flash.items[0].id) == 30
    async with postgres_db.session() as session:
        assert await session.scalar(select(func.sum(FlashHolding.reserved))) in (0, None)
    if isinstance(stock, RedisStock):
        tag = keys(flash.id, flash.items[0].id)
        assert await stock.redis.hlen(tag[2]) == 0
        holders = await stock.redis.hgetall(tag[1])
        assert all(int(v) == 0 for v in holders.values())
    # Back on sale: the customers may reserve again.
    assert await _reserve(postgres_db, stock, flash.id, customers[0])
