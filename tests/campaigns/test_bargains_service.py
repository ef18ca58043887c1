"""Bargain operations on both backends: refusals, expiry and lapse, the order at the floor."""

from datetime import timedelta

from bargains_setup import cny, help_or_why, start_bargain, stored
from saga_events import line, placed

from chassis.ids import new_id
from contracts.orders import Attribution
from services.campaigns.bargains import service
from services.campaigns.bargains.cuts import BargainStatus


async def test_starters_cannot_help_themselves_and_helpers_cut_once(campaigns_db):
    bargain = await start_bargain(campaigns_db, start=10_00, floor=1_00, helps=3)
    assert await help_or_why(campaigns_db, bargain.id, bargain.starter_id) == (
        "Starters cannot cut their own bargain; share it with friends."
    )
    helper = new_id()
    first = await help_or_why(campaigns_db, bargain.id, helper)
    assert isinstance(first, int)
    assert await help_or_why(campaigns_db, bargain.id, helper) == (
        f"You have helped with bargain {bargain.id} already."
    )
    assert (await stored(campaigns_db, bargain.id)).price_amount == 10_00 - first


async def test_an_expired_bargain_takes_no_cut(campaigns_db):
    bargain = await start_bargain(campaigns_db, helps=3)
    async with campaigns_db.session() as session:
        assert await service.expire_due(session, bargain.expires_at - timedelta(seconds=1)) == 0
    async with campaigns_db.session() as session:
        assert await service.expire_due(session, bargain.expires_at) == 1
    assert (await stored(campaigns_db, bargain.id)).status == BargainStatus.EXPIRED
    why = await help_or_why(campaigns_db, bargain.id, new_id())
    assert why == f"Bargain {bargain.id} expired at {bargain.expires_at.isoformat()}."


def _order(bargain, customer_id, price: int, at=None):
    order = placed(customer_id, [], line(bargain.sku_id, price))
    return order.model_copy(
        update={
            "attribution": Attribution(bargain_id=bargain.id),
            "placed_at": at or order.placed_at,
        }
    )


async def _record(db, order) -> bool:
    async with db.session() as session, session.begin():
        return await service.record_order(session, order)


async def test_the_starter_orders_at_the_floor_once_within_the_time(campaigns_db):
    bargain = await start_bargain(campaigns_db, start=5_00, floor=1_00, helps=2)
    for _ in range(2):
        assert isinstance(await help_or_why(campaigns_db, bargain.id, new_id()), int)
    reached = await stored(campaigns_db, bargain.id)
    assert reached.order_until == reached.reached_at + timedelta(minutes=60)
    assert reached.price == cny(1_00)
    assert not await _record(campaigns_db, _order(reached, new_id(), 1_00))  # not the starter
    assert not await _record(campaigns_db, _order(reached, reached.starter_id, 2_00))  # price
    late = reached.order_until + timedelta(seconds=1)
    assert not await _record(campaigns_db, _order(reached, reached.starter_id, 1_00, late))
    order = _order(reached, reached.starter_id, 1_00)
    assert await _record(campaigns_db, order)
    assert not await _record(campaigns_db, order)  # redelivered
    after = await stored(campaigns_db, bargain.id)
    assert (after.status, after.order_id) == (BargainStatus.ORDERED, order.order_id)


async def test_a_floor_not_ordered_in_time_lapses(campaigns_db):
    bargain = await start_bargain(campaigns_db, start=2_00, floor=0, helps=1, order_minutes=5)
    assert await help_or_why(campaigns_db, bargain.id, new_id()) == 2_00
    reached = await stored(campaigns_db, bargain.id)
    async with campaigns_db.session() as session:
        assert await service.expire_due(session, reached.order_until) == 1
    lapsed = await stored(campaigns_db, bargain.id)
    assert lapsed.status == BargainStatus.LAPSED
    assert not await _record(campaigns_db, _order(lapsed, lapsed.starter_id, 0))
