"""Hot items against real databases: the ranking's figures on both backends; on PostgreSQL,
concurrent requests featuring one SKU make one row and one event."""

import asyncio
from datetime import timedelta

import products_db
import pytest
from sqlalchemy import func, select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.money import Price
from services.catalog.insights import service
from services.catalog.insights.models import FeaturedSku
from services.catalog.inventory import service as inventory
from services.catalog.products import service as products
from services.catalog.products.listing import ListingAction
from services.catalog.products.schemas import ProductCreate, SkuIn

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def _listed_sku(db: Database):
    """A SKU of a listed product: (product id, SKU id)."""
    body = ProductCreate(
        name="保温杯",
        skus=[
            SkuIn(
                code=f"T-{new_id().hex}",
                price=Price(amount=10000, currency="CNY"),
                cost=Price(amount=7000, currency="CNY"),
                stock=100,
            )
        ],
    )
    product_id, (sku_id,) = await products_db.create(db, body)
    return product_id, sku_id


async def _sell(db, sku_id, quantity, *, paid=True):
    order_id = new_id()
    async with db.session() as session, session.begin():
        await inventory.reserve(session, order_id, [(sku_id, quantity)], timedelta(hours=1))
    async with db.session() as session, session.begin():
        if paid:
            await inventory.confirm(session, order_id)
        else:
            await inventory.release(session, order_id, expired=False)
    return order_id


async def test_the_ranking_counts_sales_orders_and_margin(db):
    (_, fast), (_, slow), (gone, delisted) = [await _listed_sku(db) for _ in range(3)]
    for quantity in (5, 5):
        await _sell(db, fast, quantity)
    await _sell(db, slow, 4)
    await _sell(db, slow, 8, paid=False)
    await _sell(db, delisted, 50)  # the best seller, but no longer on sale: no candidate
    async with db.session() as session:
        await products.review(session, gone, ListingAction.DELIST, new_id())
        ranked = await service.hot_items(session, limit=10)
    assert [sku.id for _, sku, _, _ in ranked] == [fast, slow]
    top, second = ranked[0][0], ranked[1][0]
    assert (top.figures.sold_30d, top.figures.ordered_30d, top.figures.paid_30d) == (10, 10, 10)
    assert (second.figures.sold_30d, second.figures.ordered_30d) == (4, 12)
    assert top.figures.margin_bps == 3000


@ON_POSTGRES
async def test_concurrent_features_of_one_sku_make_one_row_and_one_event(db):
    _, sku_id = await _listed_sku(db)

    async def feature():
        async with db.session() as session:
            return await service.feature(session, sku_id, new_id(), None)

    answers = await asyncio.gather(*(feature() for _ in range(20)))
    assert len({a.featured_by for a in answers}) == 1  # all see the one that won
    async with db.session() as session:
        rows = await session.scalar(select(func.count()).select_from(FeaturedSku))
        events = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.catalog.sku.featured_changed.v1")
        )
    assert (rows, events) == (1, 1)


async def test_returned_units_come_off_the_sales_that_rank(db):
    (_, kept), (_, returned), (_, all_back) = [await _listed_sku(db) for _ in range(3)]
    await _sell(db, kept, 6)
    order = await _sell(db, returned, 10)
    back = await _sell(db, all_back, 8)
    async with db.session() as session, session.begin():
        # 7 of 10 back, 3 of them broken: all 7 count against the sale, resaleable or not.
        await inventory.record_refund(session, new_id(), order, [(returned, 4)], resaleable=True)
        await inventory.record_refund(session, new_id(), order, [(returned, 3)], resaleable=False)
        await inventory.record_refund(session, new_id(), back, [(all_back, 8)], resaleable=True)
    async with db.session() as session:
        ranked = await service.hot_items(session, limit=10)
    figures = {sku.id: scored.figures for scored, sku, _, _ in ranked}
    assert list(figures) == [kept, returned]  # every unit of the third came back: no hit
    assert (figures[returned].sold_30d, figures[returned].sold_7d) == (3, 3)
    assert figures[kept].sold_30d == 6
