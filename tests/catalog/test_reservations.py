"""The order saga's stock side against real databases: reserve all or nothing, confirm,
release once, expiry; and 200 concurrent reservations on PostgreSQL."""

import asyncio
from datetime import timedelta

import products_db
import pytest
from sqlalchemy import func, select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.money import Price
from contracts.catalog import StockRejected, StockReserved
from services.catalog.inventory import service
from services.catalog.inventory.models import LedgerEntry, Reservation, SkuReturn, StockLevel
from services.catalog.products.schemas import ProductCreate, SkuIn

TTL = timedelta(minutes=30)


async def _listed_sku(db: Database, stock: int, *, threshold: int = 0, listed: bool = True):
    """A SKU of a listed product with `stock` on hand; returns its id."""
    body = ProductCreate(
        name="保温杯",
        skus=[
            SkuIn(
                code=f"T-{new_id().hex}",
                price=Price(amount=100, currency="CNY"),
                stock=stock,
                low_stock_threshold=threshold,
            )
        ],
    )
    return (await products_db.create(db, body, listed=listed)).sku_ids[0]


async def _stock(db: Database, sku_id) -> tuple[int, int, int]:
    """(on hand, reserved, the ledger's sum)."""
    async with db.session() as session:
        level = await session.get(StockLevel, sku_id)
        total = await session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
                LedgerEntry.sku_id == sku_id
            )
        )
        return level.on_hand, level.reserved, total


async def _in_txn(db: Database, operation, *args, **kwargs):
    async with db.session() as session, session.begin():
        return await operation(session, *args, **kwargs)


async def _restock(session, refund_id, order_id, lines):
    return await service.record_refund(session, refund_id, order_id, lines, resaleable=True)


async def _returns(db: Database, order_id) -> list[tuple[str, int]]:
    """(state, counted) of each return of the order."""
    async with db.session() as session:
        rows = await session.execute(
            select(SkuReturn.state, SkuReturn.counted)
            .where(SkuReturn.order_id == order_id)
            .order_by(SkuReturn.received_at)
        )
        return [(state, counted) for state, counted in rows]


async def _events(db: Database, type_: str) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == type_)
        )


async def test_reserve_confirm_leaves_a_sale_in_the_ledger(db):
    sku = await _listed_sku(db, 10)
    order = new_id()
    reserved = await _in_txn(db, service.reserve, order, [(sku, 3), (sku, 1)], TTL)
    assert isinstance(reserved, StockReserved)
    assert [(x.sku_id, x.quantity) for x in reserved.lines] == [(sku, 4)]
    assert await _stock(db, sku) == (10, 4, 10)
    confirmed = await _in_txn(db, service.confirm, order)
    assert [(x.sku_id, x.quantity) for x in confirmed.lines] == [(sku, 4)]
    assert await _stock(db, sku) == (6, 0, 6)
    assert await _in_txn(db, service.confirm, order) is None  # a second payment event
    assert await _in_txn(db, service.release, order, expired=False) is None
    assert await _stock(db, sku) == (6, 0, 6)


async def test_an_order_is_reserved_whole_or_not_at_all(db):
    plenty, scarce, unlisted = (
        await _listed_sku(db, 10),
        await _listed_sku(db, 2),
        await _listed_sku(db, 5, listed=False),
    )
    order = new_id()
    lines = [(plenty, 5), (scarce, 3), (unlisted, 1), (new_id(), 1)]
    rejected = await _in_txn(db, service.reserve, order, lines, TTL)
    assert isinstance(rejected, StockRejected)
    failed = {x.sku_id: (x.requested, x.available) for x in rejected.lines}
    assert failed[scarce] == (3, 2)
    assert failed[unlisted] == (1, 0)
    assert plenty not in failed
    assert len(failed) == 3
    assert await _stock(db, plenty) == (10, 0, 10)  # what it took was given back
    assert await _stock(db, scarce) == (2, 0, 2)
    assert await _in_txn(db, service.reserve, order, [(plenty, 1)], TTL) is None  # answered


async def test_a_cancellation_releases_exactly_once(db):
    sku = await _listed_sku(db, 5)
    order = new_id()
    await _in_txn(db, service.reserve, order, [(sku, 2)], TTL)
    released = await _in_txn(db, service.release, order, expired=False)
    assert (released.expired, released.lines[0].quantity) == (False, 2)
    assert await _in_txn(db, service.release, order, expired=False) is None
    assert await _stock(db, sku) == (5, 0, 5)
    assert await _in_txn(db, service.confirm, order) is None  # paid after cancelling
    assert await _stock(db, sku) == (5, 0, 5)


async def test_expired_reservations_are_released_by_the_sweeper_and_not_confirmed(db):
    sku = await _listed_sku(db, 5)
    stale, live = new_id(), new_id()
    await _in_txn(db, service.reserve, stale, [(sku, 2)], timedelta(0))
    await _in_txn(db, service.reserve, live, [(sku, 1)], TTL)
    assert await _in_txn(db, service.confirm, stale) is None  # late: refused and released
    assert await _stock(db, sku) == (5, 1, 5)
    another = new_id()
    await _in_txn(db, service.reserve, another, [(sku, 3)], timedelta(0))
    assert await service.release_expired(db) == 1
    assert await service.release_expired(db) == 0
    assert await _stock(db, sku) == (5, 1, 5)
    async with db.session() as session:
        swept = await session.get(Reservation, another)
    assert (swept.state, swept.expired) == ("released", True)


async def test_low_and_out_signals_once_each_and_restocked(db):
    sku = await _listed_sku(db, 5, threshold=2)
    await _in_txn(db, service.reserve, new_id(), [(sku, 3)], TTL)  # 2 left: low
    await _in_txn(db, service.reserve, new_id(), [(sku, 1)], TTL)  # 1 left: still low
    last = new_id()
    await _in_txn(db, service.reserve, last, [(sku, 1)], TTL)  # 0 left: out
    assert await _events(db, "flywheel.catalog.sku.stock_ran_low.v1") == 1
    assert await _events(db, "flywheel.catalog.sku.sold_out.v1") == 1
    await _in_txn(db, service.release, last, expired=False)  # 1: back but low
    assert await _events(db, "flywheel.catalog.sku.restocked.v1") == 0
    async with db.session() as session:
        await service.adjust(session, sku, 10, "receipt", "PO 1", new_id())
    assert await _events(db, "flywheel.catalog.sku.restocked.v1") == 1
    assert await _stock(db, sku) == (15, 4, 15)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_200_concurrent_reservations_for_50_units_take_exactly_50(db):
    sku = await _listed_sku(db, 50)
    orders = [new_id() for _ in range(200)]
    results = await asyncio.gather(
        *(_in_txn(db, service.reserve, order, [(sku, 1)], TTL) for order in orders)
    )
    reserved = [r for r in results if isinstance(r, StockReserved)]
    rejected = [r for r in results if isinstance(r, StockRejected)]
    assert (len(reserved), len(rejected)) == (50, 150)
    assert await _stock(db, sku) == (50, 50, 50)
    assert all(r.lines[0].available == 0 for r in rejected)
    # Every cancellation delivered twice, at once: each reservation comes back once.
    cancelled = [r.order_id for r in reserved]
    again = await asyncio.gather(
        *(_in_txn(db, service.release, o, expired=False) for o in cancelled + cancelled)
    )
    assert sum(r is not None for r in again) == 50
    assert await _stock(db, sku) == (50, 0, 50)


async def test_a_refund_restocks_what_the_order_bought_once(db):
    sku = await _listed_sku(db, 10)
    order, refund = new_id(), new_id()
    await _in_txn(db, service.reserve, order, [(sku, 3)], TTL)
    await _in_txn(db, service.confirm, order)
    assert await _stock(db, sku) == (7, 0, 7)
    back = await _in_txn(db, _restock, refund, order, [(sku, 1), (sku, 1)])
    assert back == {sku: 2}
    # The same refund again (republished under a new event id, past the inbox): nothing.
    assert await _in_txn(db, _restock, refund, order, [(sku, 2)]) == {}
    assert await _stock(db, sku) == (9, 0, 9)
    # A second refund naming more than is left of the order gives back only that.
    assert await _in_txn(db, _restock, new_id(), order, [(sku, 5)]) == {sku: 1}
    assert await _in_txn(db, _restock, new_id(), order, [(sku, 1)]) == {}
    # An order the catalog has not sold (yet: the refund waits) and an unknown SKU: nothing.
    assert await _in_txn(db, _restock, new_id(), new_id(), [(sku, 1)]) == {}
    assert await _in_txn(db, _restock, new_id(), order, [(new_id(), 1)]) == {}
    assert await _stock(db, sku) == (10, 0, 10)
    async with db.session() as session:
        returns = list(
            await session.scalars(
                select(LedgerEntry).where(LedgerEntry.sku_id == sku, LedgerEntry.reason == "return")
            )
        )
    assert sorted(e.delta for e in returns) == [1, 2]
    assert all(e.order_id == order and e.refund_id is not None for e in returns)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_concurrent_refunds_of_one_order_restock_no_more_than_it_bought(db):
    sku = await _listed_sku(db, 20, threshold=15)
    order = new_id()
    await _in_txn(db, service.reserve, order, [(sku, 10)], TTL)
    await _in_txn(db, service.confirm, order)
    refunds = [new_id() for _ in range(8)]
    # Eight refunds of 2 units each, every one delivered twice, all at once: 10 units back.
    results = await asyncio.gather(
        *(_in_txn(db, _restock, r, order, [(sku, 2)]) for r in refunds + refunds)
    )
    assert sum(r.get(sku, 0) for r in results) == 10
    assert await _stock(db, sku) == (20, 0, 20)
    assert await _events(db, "flywheel.catalog.sku.restocked.v1") == 1


async def test_a_refund_before_the_sale_restocks_once_the_sale_is_in(db):
    sku = await _listed_sku(db, 10)
    order, refund = new_id(), new_id()
    # The refund comes first (its topic is not the order's): nothing to count it against yet.
    assert await _in_txn(db, _restock, refund, order, [(sku, 2)]) == {}
    assert await _returns(db, order) == [("pending", 0)]
    await _in_txn(db, service.reserve, order, [(sku, 3)], TTL)
    assert await _returns(db, order) == [("pending", 0)]
    await _in_txn(db, service.confirm, order)  # the sale: the waiting refund counts now
    assert await _stock(db, sku) == (9, 0, 9)
    assert await _returns(db, order) == [("settled", 2)]
    # The same refund again, the payment again: nothing more.
    assert await _in_txn(db, _restock, refund, order, [(sku, 2)]) == {}
    assert await _in_txn(db, service.confirm, order) is None
    assert await _stock(db, sku) == (9, 0, 9)


async def test_a_refund_of_an_order_never_sold_ends_void(db):
    sku = await _listed_sku(db, 2)
    cancelled, rejected, expired = new_id(), new_id(), new_id()
    for order in (cancelled, rejected, expired):
        await _in_txn(db, _restock, new_id(), order, [(sku, 1)])
    await _in_txn(db, service.reserve, cancelled, [(sku, 1)], TTL)
    await _in_txn(db, service.release, cancelled, expired=False)
    await _in_txn(db, service.reserve, rejected, [(sku, 3)], TTL)
    await _in_txn(db, service.reserve, expired, [(sku, 1)], timedelta(0))
    assert await _in_txn(db, service.confirm, expired) is None  # paid too late: released
    for order in (cancelled, rejected, expired):
        assert await _returns(db, order) == [("void", 0)]
    # A refund arriving after the order ended unsold is void at once.
    await _in_txn(db, _restock, new_id(), cancelled, [(sku, 1)])
    assert await _returns(db, cancelled) == [("void", 0), ("void", 0)]
    assert await _stock(db, sku) == (2, 0, 2)


async def test_damaged_returns_count_against_the_sale_without_restocking(db):
    sku = await _listed_sku(db, 10)
    order = new_id()
    await _in_txn(db, service.reserve, order, [(sku, 3)], TTL)
    await _in_txn(db, service.confirm, order)
    damaged = await _in_txn(
        db, service.record_refund, new_id(), order, [(sku, 2)], resaleable=False
    )
    assert damaged == {}
    assert await _stock(db, sku) == (7, 0, 7)
    # The order bought 3 and 2 came back broken: a resaleable refund of 3 puts back 1.
    assert await _in_txn(db, _restock, new_id(), order, [(sku, 3)]) == {sku: 1}
    assert await _returns(db, order) == [("settled", 2), ("settled", 1)]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_refunds_racing_their_sales_restock_each_once(db):
    """Each order's payment and refund (each delivered twice) at once, 30 orders: whichever
    commits first, the refund counts once against the sale, none stays pending."""
    sku = await _listed_sku(db, 60)
    orders = [new_id() for _ in range(30)]
    for order in orders:
        await _in_txn(db, service.reserve, order, [(sku, 2)], TTL)
    refunds = {order: new_id() for order in orders}
    work = []
    for order in orders:
        work += [
            _in_txn(db, service.confirm, order),
            _in_txn(db, _restock, refunds[order], order, [(sku, 1)]),
        ] * 2
    await asyncio.gather(*work)
    assert await _stock(db, sku) == (30, 0, 30)  # 60 sold, 30 back
    for order in orders:
        assert await _returns(db, order) == [("settled", 1)]
