"""Purchase orders against real databases: reorder figures from the sales the order saga
confirmed; on PostgreSQL, concurrent receipts that never take in more than was ordered and an
order that ends received when concurrent deliveries complete its lines."""

import asyncio
from datetime import timedelta

import products_db
import pytest
from sqlalchemy import func, select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.money import Price
from services.catalog.inventory import service as inventory
from services.catalog.inventory.models import LedgerEntry, StockLevel
from services.catalog.products.schemas import ProductCreate, SkuIn
from services.catalog.suppliers import service
from services.catalog.suppliers.rules import OrderState
from services.catalog.suppliers.schemas import (
    LineIn,
    PurchaseOrderIn,
    ReceiptIn,
    ReceiptLineIn,
    SupplierIn,
)

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def _listed_skus(db: Database, stock: int, count: int = 1) -> list:
    body = ProductCreate(
        name="保温杯",
        attributes={"号": [str(i) for i in range(count)]},
        skus=[
            SkuIn(
                code=f"T-{new_id().hex}",
                attributes={"号": str(i)},
                price=Price(amount=100, currency="CNY"),
                stock=stock,
            )
            for i in range(count)
        ],
    )
    return (await products_db.create(db, body)).sku_ids


async def _supplier(db, lead_time_days=10):
    async with db.session() as session:
        body = SupplierIn(name=f"s-{new_id().hex}", lead_time_days=lead_time_days)
        return (await service.create_supplier(session, body, new_id())).id


async def _sent_order(db, supplier_id, lines: dict) -> object:
    async with db.session() as session:
        body = PurchaseOrderIn(
            supplier_id=supplier_id, lines=[LineIn(sku_id=s, quantity=q) for s, q in lines.items()]
        )
        order = await service.create_order(session, body, new_id())
        await service.send(session, order.id)
        return order.id


async def _sell(db, sku_id, quantity: int):
    """An order placed and paid for `quantity`: the saga's reserve and confirm."""
    order_id = new_id()
    async with db.session() as session, session.begin():
        await inventory.reserve(session, order_id, [(sku_id, quantity)], timedelta(minutes=30))
    async with db.session() as session, session.begin():
        await inventory.confirm(session, order_id)
    return order_id


async def _stock(db, sku_id) -> tuple[int, int]:
    async with db.session() as session:
        level = await session.get(StockLevel, sku_id)
        total = await session.scalar(
            select(func.sum(LedgerEntry.delta)).where(LedgerEntry.sku_id == sku_id)
        )
        return level.on_hand, total


async def test_the_reorder_figures_come_from_confirmed_sales(db):
    (sku_id,) = await _listed_skus(db, stock=100)
    supplier_id = await _supplier(db, lead_time_days=10)
    async with db.session() as session:
        await service.supply(session, supplier_id, sku_id, safety_stock=5)
    for quantity in (30, 15, 15):
        await _sell(db, sku_id, quantity)  # 60 in 30 days: 2 a day
    unpaid = new_id()
    async with db.session() as session, session.begin():  # reserved, not sold: not velocity
        await inventory.reserve(session, unpaid, [(sku_id, 10)], timedelta(minutes=30))
    await _sent_order(db, supplier_id, {sku_id: 4})
    async with db.session() as session:
        ((_, figures),) = await service.reorder_figures(session, supplier_id, cover_days=30)
    assert (figures.sold, figures.velocity) == (60, 2)
    assert figures.reorder_point == 2 * 10 + 5
    assert (figures.available, figures.on_order, figures.position) == (30, 4, 34)
    assert figures.quantity == 0  # 34 is above 25
    await _sell(db, sku_id, 10)  # 70 sold; available 20 + 4 on order = 24
    async with db.session() as session:
        ((_, figures),) = await service.reorder_figures(session, supplier_id, cover_days=30)
    assert figures.reorder_point == 29  # ceil(70/30 x 10) + 5 = 24 + 5
    assert figures.quantity == 29 + 70 - 24


@ON_POSTGRES
async def test_concurrent_receipts_never_take_in_more_than_was_ordered(db):
    (sku_id,) = await _listed_skus(db, stock=7)
    order_id = await _sent_order(db, await _supplier(db), {sku_id: 50})

    async def deliver():
        async with db.session() as session:
            body = ReceiptIn(lines=[ReceiptLineIn(sku_id=sku_id, quantity=3)])
            try:
                await service.receive(session, order_id, body, new_id())
            except InvalidInput:
                return False
            return True

    accepted = await asyncio.gather(*(deliver() for _ in range(20)))
    assert sum(accepted) == 16  # 48 of 50: a 17th delivery of 3 would be one too many
    assert await _stock(db, sku_id) == (7 + 48, 7 + 48)
    async with db.session() as session:
        order = await service.get_order(session, order_id)
        events = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.catalog.purchase_order.received.v1")
        )
    assert (order.state, order.lines[0].received) == (OrderState.PARTIALLY_RECEIVED, 48)
    assert events == 16


@ON_POSTGRES
async def test_deliveries_completing_different_lines_at_once_leave_it_received(db):
    skus = await _listed_skus(db, stock=0, count=8)
    order_id = await _sent_order(db, await _supplier(db), dict.fromkeys(skus, 3))

    async def deliver(sku_id):
        async with db.session() as session:
            body = ReceiptIn(lines=[ReceiptLineIn(sku_id=sku_id, quantity=3)])
            await service.receive(session, order_id, body, new_id())

    await asyncio.gather(*(deliver(s) for s in skus))
    async with db.session() as session:
        order = await service.get_order(session, order_id)
    assert order.state == OrderState.RECEIVED
    assert [line.outstanding for line in order.lines] == [0] * 8


async def test_returned_units_are_not_velocity(db):
    (sku_id,) = await _listed_skus(db, stock=100)
    supplier_id = await _supplier(db, lead_time_days=10)
    async with db.session() as session:
        await service.supply(session, supplier_id, sku_id, safety_stock=5)
    orders = [await _sell(db, sku_id, 30) for _ in range(2)]  # 60 sold
    async with db.session() as session, session.begin():
        # 30 back, broken or not: 30 sold in 30 days, 1 a day.
        await inventory.record_refund(session, new_id(), orders[0], [(sku_id, 20)], resaleable=True)
        await inventory.record_refund(
            session, new_id(), orders[1], [(sku_id, 10)], resaleable=False
        )
    async with db.session() as session:
        ((_, figures),) = await service.reorder_figures(session, supplier_id, cover_days=30)
    assert (figures.sold, figures.velocity) == (30, 1)
    assert figures.reorder_point == 10 + 5
    assert figures.available == 60  # the 20 resaleable are back on hand
