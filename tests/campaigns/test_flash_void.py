"""A cancelled session's reservations not yet ordered are void, on both stores: those in the
database at the cancel, and those the Redis path writes down after it (taken a moment before
it, or by a replica that had not seen it yet); none of them gives stock back, and an order
holds none of them."""

import pytest
from flash_setup import forget, open_session, reservation, reserve, written_down
from redis.asyncio import Redis
from saga_events import line, placed

from chassis.ids import new_id
from chassis.testing import need
from contracts.orders import Attribution
from services.campaigns.flash import holds, service
from services.campaigns.flash.models import FlashItem, FlashReservation, ReservationStatus
from services.campaigns.flash.stock import DatabaseStock, RedisStock

SKU = new_id()


@pytest.fixture(params=["database", "redis"])
async def stock(request):
    if request.param == "database":
        yield DatabaseStock()
        return
    need("Redis", 6379)
    store = RedisStock(Redis.from_url("redis://127.0.0.1:6379/0"))
    store.created = []
    yield store
    await forget(store)
    await store.close()


async def test_a_cancel_voids_what_is_reserved_and_what_is_written_down_after(campaigns_db, stock):
    flash = await open_session(campaigns_db, stock, SKU, units=5, limit=1)
    first = reservation(await reserve(campaigns_db, stock, flash.id, new_id(), SKU))
    await written_down(campaigns_db, stock, flash.id)
    late = reservation(await reserve(campaigns_db, stock, flash.id, new_id(), SKU))
    # On the Redis path the late one is still in the stream when the cancel comes.
    async with campaigns_db.session() as session:
        await holds.cancel(session, flash.id)
    if isinstance(stock, RedisStock):
        assert await written_down(campaigns_db, stock, flash.id) == 1
    async with campaigns_db.session() as session:
        rows = [await session.get(FlashReservation, r.id) for r in (first, late)]
        assert [row.status for row in rows] == [ReservationStatus.VOIDED] * 2
        customer_id = rows[1].customer_id
        assert await service.restore_pending(session, stock) == 0
    order = placed(customer_id, [], line(SKU, price=9_90))
    order = order.model_copy(update={"attribution": Attribution(flash_reservation_id=late.id)})
    async with campaigns_db.session() as session, session.begin():
        refused = await service.hold_for_order(session, order)
    assert refused.reason == f"flash reservation {late.id}: voided"
    async with campaigns_db.session() as session:
        item = await session.get(FlashItem, flash.items[0].id)
        assert item.stock_left == (3 if isinstance(stock, DatabaseStock) else 5)
