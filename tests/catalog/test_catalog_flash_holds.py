"""Stock held for campaigns' flash sessions, against real databases: hold or refuse, orders
drawing from the hold, cancellations back to it, the unsold returned once when the session
ends; the ledger summing to on-hand throughout; races on PostgreSQL."""

import asyncio
from datetime import timedelta

import products_db
import pytest
from sqlalchemy import func, select

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.money import Money, Price
from contracts.catalog import FlashStockHeld, FlashStockRefused, StockReserved
from contracts.orders import Attribution, OrderLine, OrderPlaced
from services.catalog.inventory import service
from services.catalog.inventory.models import FlashHold, LedgerEntry, StockLevel
from services.catalog.inventory.service import FlashDraw
from services.catalog.products.schemas import ProductCreate, SkuIn

TTL = timedelta(minutes=30)


async def _listed_sku(db: Database, stock: int, *, listed: bool = True):
    body = ProductCreate(
        name="秒杀保温杯",
        skus=[
            SkuIn(code=f"F-{new_id().hex}", price=Price(amount=100, currency="CNY"), stock=stock)
        ],
    )
    return (await products_db.create(db, body, listed=listed)).sku_ids[0]


async def _in_txn(db: Database, operation, *args, **kwargs):
    async with db.session() as session, session.begin():
        return await operation(session, *args, **kwargs)


async def _stock(db: Database, sku_id) -> tuple[int, int, int, int, int]:
    """(on hand, reserved, held, available, the ledger's sum)."""
    async with db.session() as session:
        level = await session.get(StockLevel, sku_id)
        total = await session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
                LedgerEntry.sku_id == sku_id
            )
        )
        return level.on_hand, level.reserved, level.held, level.available, total


async def _hold(db: Database, flash_session, sku_id) -> tuple:
    async with db.session() as session:
        hold = await session.get(FlashHold, (flash_session, sku_id))
        return hold.state, hold.quantity, hold.drawn, hold.returned


async def _count(db: Database, type_: str) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == type_)
        )


async def test_a_hold_sets_stock_aside_once_and_refuses_what_is_not_there(db):
    cup, scarce, unlisted = (
        await _listed_sku(db, 10),
        await _listed_sku(db, 2),
        await _listed_sku(db, 5, listed=False),
    )
    flash = new_id()
    answers = await _in_txn(
        db, service.hold_for_session, flash, [(cup, 6), (scarce, 3), (unlisted, 1)]
    )
    by_sku = {answer.sku_id: answer for answer in answers}
    assert isinstance(by_sku[cup], FlashStockHeld)
    assert by_sku[cup].quantity == 6
    assert isinstance(by_sku[scarce], FlashStockRefused)
    assert (by_sku[scarce].requested, by_sku[scarce].available) == (3, 2)
    assert by_sku[unlisted].available == 0
    assert await _stock(db, cup) == (10, 0, 6, 4, 10)
    assert await _stock(db, scarce) == (2, 0, 0, 2, 2)
    # The scheduling again (redelivered, or republished under another event id): nothing.
    assert await _in_txn(db, service.hold_for_session, flash, [(cup, 6), (scarce, 3)]) == []
    assert await _stock(db, cup) == (10, 0, 6, 4, 10)
    assert await _count(db, "flywheel.catalog.flash_stock.held.v1") == 1
    assert await _count(db, "flywheel.catalog.flash_stock.refused.v1") == 2
    # What is held is no longer available to other orders, nor to a manual write-off.
    order = new_id()
    rejected = await _in_txn(db, service.reserve, order, [(cup, 5)], TTL)
    assert rejected.lines[0].available == 4
    with pytest.raises(Exception, match="held for flash sessions 6"):
        async with db.session() as session:
            await service.adjust(session, cup, -5, service.LedgerReason.DAMAGE, None, new_id())


async def test_flash_orders_draw_from_the_hold_and_the_unsold_returns_once(db):
    sku = await _listed_sku(db, 10)
    flash = new_id()
    await _in_txn(db, service.hold_for_session, flash, [(sku, 6)])
    paid, cancelled, plain = new_id(), new_id(), new_id()
    draw = FlashDraw(flash, sku, 2)
    reserved = await _in_txn(db, service.reserve, paid, [(sku, 2)], TTL, draw)
    assert isinstance(reserved, StockReserved)
    # Drawn from the hold: reserved up, held down, available untouched.
    assert await _stock(db, sku) == (10, 2, 4, 4, 10)
    await _in_txn(db, service.reserve, cancelled, [(sku, 2)], TTL, draw)
    await _in_txn(db, service.reserve, plain, [(sku, 1)], TTL)  # no flash: general stock
    assert await _stock(db, sku) == (10, 5, 2, 3, 10)
    await _in_txn(db, service.confirm, paid)
    # A cancelled flash order gives its units back to the running session's hold, once.
    await _in_txn(db, service.release, cancelled, expired=False)
    await _in_txn(db, service.release, cancelled, expired=False)
    assert await _stock(db, sku) == (8, 1, 4, 3, 8)
    assert await _hold(db, flash, sku) == ("held", 6, 2, None)
    pending = new_id()  # drawn, not paid when the session ends
    await _in_txn(db, service.reserve, pending, [(sku, 1)], TTL, FlashDraw(flash, sku, 1))
    assert await _stock(db, sku) == (8, 2, 3, 3, 8)

    ended = await _in_txn(db, service.end_session, flash)
    assert [(e.held, e.sold, e.returned) for e in ended] == [(6, 3, 3)]
    assert await _stock(db, sku) == (8, 2, 0, 6, 8)
    assert await _in_txn(db, service.end_session, flash) == []  # the end redelivered
    assert await _stock(db, sku) == (8, 2, 0, 6, 8)
    assert await _hold(db, flash, sku) == ("ended", 6, 3, 3)
    async with db.session() as session:
        moves = (
            await session.execute(
                select(LedgerEntry.reason, LedgerEntry.delta, LedgerEntry.held)
                .where(LedgerEntry.sku_id == sku, LedgerEntry.flash_session_id == flash)
                .order_by(LedgerEntry.created_at)
            )
        ).all()
    assert [tuple(m) for m in moves] == [("flash_hold", 0, 6), ("flash_return", 0, -3)]
    # After the end, a drawn order cancelled goes back to available stock (the hold
    # returned only what was not drawn), and a new flash order draws on the general stock.
    await _in_txn(db, service.release, pending, expired=False)
    assert await _stock(db, sku) == (8, 1, 0, 7, 8)
    late = new_id()
    await _in_txn(db, service.reserve, late, [(sku, 1)], TTL, FlashDraw(flash, sku, 1))
    assert await _stock(db, sku) == (8, 2, 0, 6, 8)
    assert await _hold(db, flash, sku) == ("ended", 6, 3, 3)


async def test_a_flash_order_rejected_on_another_line_gives_the_hold_back(db):
    sku, scarce = await _listed_sku(db, 10), await _listed_sku(db, 1)
    flash = new_id()
    await _in_txn(db, service.hold_for_session, flash, [(sku, 4)])
    order = new_id()
    lines = [(sku, 3), (scarce, 2)]
    await _in_txn(db, service.reserve, order, lines, TTL, FlashDraw(flash, sku, 3))
    assert await _stock(db, sku) == (10, 0, 4, 6, 10)
    assert await _hold(db, flash, sku) == ("held", 4, 0, None)


async def test_more_than_the_hold_has_comes_from_the_general_stock(db):
    sku = await _listed_sku(db, 10)
    flash = new_id()
    await _in_txn(db, service.hold_for_session, flash, [(sku, 2)])
    order = new_id()
    await _in_txn(db, service.reserve, order, [(sku, 3)], TTL, FlashDraw(flash, sku, 3))
    # The hold lacks 1 of 3: the whole line comes out of available stock, the hold untouched.
    assert await _stock(db, sku) == (10, 3, 2, 5, 10)
    await _in_txn(db, service.release, order, expired=True)
    assert await _stock(db, sku) == (10, 0, 2, 8, 10)
    assert await _hold(db, flash, sku) == ("held", 2, 0, None)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_sessions_racing_for_the_last_stock_hold_it_once(db):
    sku = await _listed_sku(db, 5)
    sessions = [new_id() for _ in range(10)]
    answers = await asyncio.gather(
        *(_in_txn(db, service.hold_for_session, s, [(sku, 5)]) for s in sessions)
    )
    held = [a for (a,) in answers if isinstance(a, FlashStockHeld)]
    assert len(held) == 1
    assert await _stock(db, sku) == (5, 0, 5, 0, 5)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_scheduling_delivered_twice_at_once_holds_once(db):
    sku = await _listed_sku(db, 20)
    flash = new_id()
    await asyncio.gather(
        *(_in_txn(db, service.hold_for_session, flash, [(sku, 8)]) for _ in range(5))
    )
    assert await _stock(db, sku) == (20, 0, 8, 12, 20)
    assert await _count(db, "flywheel.catalog.flash_stock.held.v1") == 1


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_orders_cancellations_and_the_end_racing_leave_the_counts_whole(db):
    """40 flash orders of 1 against a hold of 30, then the end (delivered three times)
    racing the cancellation of half the reserved ones: each unit ends up exactly once
    available, reserved or sold, and the ledger sums."""
    sku = await _listed_sku(db, 50)
    flash = new_id()
    await _in_txn(db, service.hold_for_session, flash, [(sku, 30)])
    draw = FlashDraw(flash, sku, 1)
    orders = [new_id() for _ in range(40)]
    await asyncio.gather(*(_in_txn(db, service.reserve, o, [(sku, 1)], TTL, draw) for o in orders))
    # 30 drawn from the hold, 10 from the general stock (20 available beside the hold).
    assert await _stock(db, sku) == (50, 40, 0, 10, 50)
    cancelled = orders[::2]
    work = [_in_txn(db, service.release, o, expired=False) for o in cancelled]
    work += [_in_txn(db, service.end_session, flash) for _ in range(3)]
    results = await asyncio.gather(*work)
    ends = [r for r in results[len(cancelled) :] if r]
    assert len(ends) == 1
    (returned,) = ends[0]
    on_hand, reserved, held, available, ledger = await _stock(db, sku)
    assert (on_hand, reserved, held, ledger) == (50, 20, 0, 50)
    assert available == 30
    state, quantity, drawn, back = await _hold(db, flash, sku)
    assert (state, back, returned.returned) == ("ended", quantity - drawn, quantity - drawn)


def test_an_order_draws_by_the_flash_session_it_carries_only_with_its_flash_sku():
    sku, other, flash = new_id(), new_id(), new_id()
    price = Money(amount=990, currency="CNY")

    def order(**attribution) -> OrderPlaced:
        lines = [
            OrderLine(sku_id=s, quantity=q, list_price=price, unit_price=price, paid=price)
            for s, q in ((other, 1), (sku, 2))
        ]
        return OrderPlaced(
            order_id=new_id(),
            customer_id=new_id(),
            lines=lines,
            total=price,
            attribution=Attribution(flash_reservation_id=new_id(), **attribution),
            placed_at=now(),
        )

    carried = order(flash_session_id=flash, flash_sku_id=sku)
    assert service.carried_flash_draw(carried) == FlashDraw(flash, sku, 2)
    # Without the session or the SKU, or for a SKU not ordered: by flash.reserved, as before.
    assert service.carried_flash_draw(order()) is None
    assert service.carried_flash_draw(order(flash_session_id=flash)) is None
    assert service.carried_flash_draw(order(flash_session_id=flash, flash_sku_id=new_id())) is None
