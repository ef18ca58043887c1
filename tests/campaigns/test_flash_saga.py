"""A flash reservation through the order saga: held by the order that carries the flash
price, sold when paid, its stock back once when the order is cancelled; never held by an
order at another price, nor once expired."""

from datetime import UTC, datetime, timedelta

import pytest
from flash_setup import held_by_catalog, reservation, reserve
from saga_events import cancelled, cny, line, paid, placed
from sqlalchemy import select

from chassis.events.handlers import DependencyDown
from chassis.events.tables import outbox
from chassis.ids import new_id
from contracts.orders import Attribution, OrderPlaced
from services.campaigns.checkout import saga
from services.campaigns.flash import service
from services.campaigns.flash.models import FlashItem, FlashReservation
from services.campaigns.flash.schemas import SessionRequest
from services.campaigns.flash.stock import DatabaseStock

SKU = new_id()
STOCK = DatabaseStock()


async def _reservation(db) -> FlashReservation:
    now = datetime.now(UTC)
    body = SessionRequest(
        name="秒杀",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        items=[{"sku_id": SKU, "flash_price": cny(99_00), "stock": 5, "per_user_limit": 1}],
    )
    async with db.session() as session:
        flash = await service.create_session(session, body, new_id(), STOCK)
    await held_by_catalog(db, flash)
    response = await reserve(db, STOCK, flash.id, new_id(), SKU)
    async with db.session() as session:
        return await session.get(FlashReservation, reservation(response).id)


def _order(reservation, price=99_00) -> OrderPlaced:
    order = placed(reservation.customer_id, [], line(SKU, price=price))
    return order.model_copy(
        update={"attribution": Attribution(flash_reservation_id=reservation.id)}
    )


async def _apply(db, step, event):
    async with db.session() as session, session.begin():
        return await step(session, event)


async def _state(db, reservation) -> tuple[str, int]:
    async with db.session() as session:
        row = await session.get(FlashReservation, reservation.id)
        item = await session.get(FlashItem, row.item_id)
        return row.status, item.stock_left


async def _restore(db) -> int:
    async with db.session() as session:
        return await service.restore_pending(session, STOCK)


async def test_an_order_at_the_flash_price_holds_it_and_payment_sells_it(campaigns_db):
    reservation = await _reservation(campaigns_db)
    order = _order(reservation)
    assert await _apply(campaigns_db, saga.lock, order)
    assert await _state(campaigns_db, reservation) == ("ordered", 4)
    async with campaigns_db.session() as session:
        payloads = await session.scalars(
            select(outbox.c.payload).where(outbox.c.type == "flywheel.campaigns.coupons.locked.v1")
        )
        assert [str(reservation.id) in p for p in payloads] == [True]
    await _apply(campaigns_db, saga.redeem, paid(order))
    async with campaigns_db.session() as session:
        assert await service.expire_due(session, datetime.now(UTC) + timedelta(days=1)) == 0
    assert await _restore(campaigns_db) == 0
    assert await _state(campaigns_db, reservation) == ("purchased", 4)


async def test_a_cancelled_order_gives_the_stock_back_once(campaigns_db):
    reservation = await _reservation(campaigns_db)
    order = _order(reservation)
    assert await _apply(campaigns_db, saga.lock, order)
    await _apply(campaigns_db, saga.release, cancelled(order))
    await _apply(campaigns_db, saga.release, cancelled(order))
    assert await _restore(campaigns_db) == 1
    assert await _restore(campaigns_db) == 0
    assert await _state(campaigns_db, reservation) == ("released", 5)


async def test_an_order_at_another_price_or_after_expiry_is_refused(campaigns_db):
    reservation = await _reservation(campaigns_db)
    assert not await _apply(campaigns_db, saga.lock, _order(reservation, price=120_00))
    assert await _state(campaigns_db, reservation) == ("reserved", 4)
    async with campaigns_db.session() as session:
        assert await service.expire_due(session, datetime.now(UTC) + timedelta(days=1)) == 1
    assert not await _apply(campaigns_db, saga.lock, _order(reservation))
    assert await _restore(campaigns_db) == 1
    assert await _state(campaigns_db, reservation) == ("expired", 5)
    async with campaigns_db.session() as session:
        reasons = await session.scalars(
            select(outbox.c.payload)
            .where(outbox.c.type == "flywheel.campaigns.coupons.refused.v1")
            .order_by(outbox.c.seq)
        )
        reasons = list(reasons)
    assert "at the flash price" in reasons[0]
    assert f"flash reservation {reservation.id}: expired" in reasons[1]


async def test_an_order_for_a_reservation_not_written_down_yet_waits_for_it(campaigns_db):
    """On the Redis path a reservation reaches the database a moment after its 201: an
    order naming an unknown reservation minted just now is retried, an older one refused."""
    young = new_id()
    order = _order(FlashReservation(id=young, customer_id=new_id()))
    async with campaigns_db.session() as session:
        with pytest.raises(DependencyDown):
            await service.hold_for_order(session, order)
        later = order.model_copy(update={"placed_at": order.placed_at + timedelta(minutes=2)})
        refused = await service.hold_for_order(session, later)
    assert refused.reason == f"flash reservation {young}: not_found"
