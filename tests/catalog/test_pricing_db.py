"""Pricing against real databases: the scheduler's step at chosen moments, a schedule refused at
its start, cancellation; on PostgreSQL, concurrent price changes that never build on the same
old price and two schedulers settling one SKU once; the revisions match the models."""

import asyncio
from datetime import timedelta

import pytest
from drift import drift
from sqlalchemy import func, select, update

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.money import Price
from services.catalog.app import SCHEMA
from services.catalog.models import Base
from services.catalog.pricing import service
from services.catalog.pricing.models import PriceRecord, PriceSchedule, PriceSource
from services.catalog.pricing.rules import ScheduleState
from services.catalog.pricing.schemas import Prices, ScheduleIn
from services.catalog.products import service as products
from services.catalog.products.schemas import ProductCreate, SkuIn

MARGIN = 1000  # 10%: a cost of 4000 has a floor of 4445
PRICE_CHANGED = "flywheel.catalog.product.price_changed.v1"
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def cny(amount: int) -> Price:
    return Price(amount=amount, currency="CNY")


async def _sku(db: Database, price: int = 8900, cost: int = 4000):
    body = ProductCreate(
        name="保温杯", skus=[SkuIn(code=f"T-{new_id().hex}", price=cny(price), cost=cny(cost))]
    )
    async with db.session() as session:
        product = await products.create(session, body, new_id(), MARGIN)
        return product.skus[0].id


async def _schedule(db, sku_id, amount, starts, ends=None):
    async with db.session() as session:
        body = ScheduleIn(price=cny(amount), starts_at=starts, ends_at=ends)
        return (await service.schedule(session, sku_id, body, new_id(), MARGIN)).id


async def _settle(db, sku_id, at) -> bool:
    async with db.session() as session:
        settled = await service.settle(session, sku_id, at, MARGIN)
        await session.commit()
        return settled


async def _price(db, sku_id) -> int:
    async with db.session() as session:
        return (await service.sku(session, sku_id)).price_amount


async def _history(db, sku_id) -> list[PriceRecord]:
    async with db.session() as session:
        return list(
            await session.scalars(
                select(PriceRecord)
                .where(PriceRecord.sku_id == sku_id)
                .order_by(PriceRecord.recorded_at, PriceRecord.id)
            )
        )


async def _events(db) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == PRICE_CHANGED)
        )


async def test_a_flash_price_inside_a_promotion_and_back(db):
    sku_id = await _sku(db)
    t0 = now() + timedelta(hours=1)
    promotion = await _schedule(db, sku_id, 7900, t0, t0 + timedelta(hours=10))
    flash = await _schedule(db, sku_id, 5900, t0 + timedelta(hours=2), t0 + timedelta(hours=3))
    assert not await _settle(db, sku_id, t0 - timedelta(seconds=1))  # nothing due yet
    prices = []
    for hours in (0, 2, 3, 10):
        assert await _settle(db, sku_id, t0 + timedelta(hours=hours))
        prices.append(await _price(db, sku_id))
    assert prices == [7900, 5900, 7900, 8900]
    rows = await _history(db, sku_id)
    assert [(r.source, r.old_amount, r.amount, r.schedule_id) for r in rows] == [
        (PriceSource.CREATED, None, 8900, None),
        (PriceSource.SCHEDULE_STARTED, 8900, 7900, promotion),
        (PriceSource.SCHEDULE_STARTED, 7900, 5900, flash),
        (PriceSource.SCHEDULE_ENDED, 5900, 7900, flash),
        (PriceSource.SCHEDULE_ENDED, 7900, 8900, promotion),
    ]
    assert [r.effective_at for r in rows[1:]] == [t0 + timedelta(hours=h) for h in (0, 2, 3, 10)]
    assert await _events(db) == 4


async def test_a_schedule_missed_entirely_leaves_the_base_price(db):
    """The scheduler was down through a whole window: it starts and ends it in one turn,
    and the price it would have left is the one it leaves."""
    sku_id = await _sku(db)
    t0 = now() + timedelta(hours=1)
    change = await _schedule(db, sku_id, 7000, t0, t0 + timedelta(hours=1))
    assert await _settle(db, sku_id, t0 + timedelta(hours=2))
    assert await _price(db, sku_id) == 8900
    async with db.session() as session:
        assert (await service.get_schedule(session, change)).state == ScheduleState.ENDED
    assert await _events(db) == 0  # it never applied at any moment anyone could buy


async def test_a_schedule_refused_at_its_start_when_the_cost_rose(db):
    sku_id = await _sku(db)
    t0 = now() + timedelta(hours=1)
    change = await _schedule(db, sku_id, 6000, t0)  # fine against the cost of 4000
    async with db.session() as session:
        body = Prices(list_price=cny(8900), cost=cny(6000))  # the floor is now 6667
        await service.set_prices(session, sku_id, body, new_id(), MARGIN)
    assert await _settle(db, sku_id, t0)
    async with db.session() as session:
        assert (await service.get_schedule(session, change)).state == ScheduleState.REFUSED
    assert await _price(db, sku_id) == 8900


async def test_cancelling_an_active_change_restores_the_price_at_once(db):
    sku_id = await _sku(db)
    t0 = now() + timedelta(minutes=1)
    change = await _schedule(db, sku_id, 7000, t0)
    await _settle(db, sku_id, t0)
    assert await _price(db, sku_id) == 7000
    async with db.session() as session:
        cancelled = await service.cancel(session, change, new_id())
    assert cancelled.state == ScheduleState.CANCELLED
    assert await _price(db, sku_id) == 8900
    assert (await _history(db, sku_id))[-1].source == PriceSource.SCHEDULE_CANCELLED


@ON_POSTGRES
async def test_concurrent_price_changes_chain_without_lost_updates(db):
    sku_id = await _sku(db)

    async def set_to(amount: int):
        async with db.session() as session:
            try:
                await service.set_prices(
                    session, sku_id, Prices(list_price=cny(amount)), new_id(), MARGIN
                )
            except Conflict:
                return None
            return amount

    applied = [a for a in await asyncio.gather(*(set_to(5000 + i) for i in range(30))) if a]
    manual = [r for r in await _history(db, sku_id) if r.source == PriceSource.MANUAL]
    assert len(manual) == len(applied) >= 1
    # Each change starts from the price the previous one left: one chain, no fork.
    following = {r.old_amount: r.amount for r in manual}
    assert len(following) == len(manual)
    price, walked = 8900, 0
    while price in following:
        price, walked = following[price], walked + 1
    assert walked == len(manual)
    assert price == await _price(db, sku_id)
    assert await _events(db) == len(manual)


@ON_POSTGRES
async def test_two_schedulers_settle_a_due_change_once(db):
    sku_ids = [await _sku(db) for _ in range(5)]
    for sku_id in sku_ids:
        await _schedule(db, sku_id, 7000, now() + timedelta(hours=1))
    async with db.session() as session, session.begin():
        await session.execute(update(PriceSchedule).values(starts_at=now() - timedelta(seconds=1)))
    settled = await asyncio.gather(*(service.settle_due(db, MARGIN) for _ in range(4)))
    assert sum(settled) == 5
    for sku_id in sku_ids:
        assert await _price(db, sku_id) == 7000
        sources = [r.source for r in await _history(db, sku_id)]
        assert sources == [PriceSource.CREATED, PriceSource.SCHEDULE_STARTED]
    assert await _events(db) == 5


async def test_the_revisions_match_the_models(db):
    assert [d for d in await drift(db, SCHEMA, Base.metadata) if not _search_index(d)] == []


def _search_index(difference) -> bool:
    """The search index's own tables and columns (SQLite's FTS5 tables, PostgreSQL's
    generated tsvector column and its indexes) are not in the models."""
    if difference[0] == "remove_column":  # ("remove_column", schema, table, column)
        return (difference[2], difference[3].name) == ("search_documents", "tsv")
    table = getattr(difference[1], "table", difference[1])
    return difference[0] in {"remove_table", "remove_index"} and (
        table.name.startswith("search_fts")
        or difference[1].name in {"ix_search_documents_tsv", "ix_search_documents_trgm"}
    )
