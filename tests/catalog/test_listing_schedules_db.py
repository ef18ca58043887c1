"""Scheduled listing against real databases: the scheduler's step when the time has come, a
schedule skipped when the product moved by hand, cancellation; on PostgreSQL, four schedulers
at once carry out each schedule once."""

import asyncio
from datetime import timedelta

import products_db
import pytest
from sqlalchemy import func, select, update

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.http.problems import Conflict, InvalidInput
from chassis.ids import new_id
from chassis.money import Price
from services.catalog.products import service
from services.catalog.products.listing import ListingAction, ScheduledMove
from services.catalog.products.models import ListingSchedule, Product
from services.catalog.products.schemas import ProductCreate, SkuIn

LISTED, DELISTED = "flywheel.catalog.product.listed.v1", "flywheel.catalog.product.delisted.v1"


async def _listed(db: Database):
    body = ProductCreate(
        name="保温杯",
        skus=[SkuIn(code=f"T-{new_id().hex}", price=Price(amount=100, currency="CNY"))],
    )
    return (await products_db.create(db, body)).product_id


async def _schedule(db, product_id, move, minutes=10):
    async with db.session() as session:
        at = now() + timedelta(minutes=minutes)
        return (await service.schedule(session, product_id, move, at, new_id())).id


async def _come_due(db, *schedule_ids):
    """Move the schedules' time to the past, as if the minutes had gone by."""
    async with db.session() as session, session.begin():
        for i, schedule_id in enumerate(schedule_ids):
            await session.execute(
                update(ListingSchedule)
                .where(ListingSchedule.id == schedule_id)
                .values(at=now() - timedelta(seconds=10 - i))
            )


async def _state(db, product_id) -> str:
    async with db.session() as session:
        return (await session.get(Product, product_id)).state


async def _schedules(db, *ids) -> list[str]:
    async with db.session() as session:
        return [(await session.get(ListingSchedule, i)).state for i in ids]


async def _events(db, type_, product_id) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == type_, outbox.c.key == str(product_id))
        )


async def test_due_schedules_delist_then_list_in_time_order(db):
    product = await _listed(db)
    off = await _schedule(db, product, ScheduledMove.DELIST, minutes=10)
    back = await _schedule(db, product, ScheduledMove.LIST, minutes=20)
    assert await service.run_due_schedules(db) == 0  # not yet
    assert await _state(db, product) == "listed"
    await _come_due(db, off)
    assert await service.run_due_schedules(db) == 1
    assert (await _state(db, product), await _events(db, DELISTED, product)) == ("delisted", 1)
    await _come_due(db, back)
    assert await service.run_due_schedules(db) == 1
    assert await service.run_due_schedules(db) == 0
    assert await _state(db, product) == "listed"
    assert await _events(db, LISTED, product) == 2  # the approval's and the schedule's
    assert await _schedules(db, off, back) == ["done", "done"]


async def test_both_due_in_one_turn_run_in_order(db):
    product = await _listed(db)
    off = await _schedule(db, product, ScheduledMove.DELIST, minutes=10)
    back = await _schedule(db, product, ScheduledMove.LIST, minutes=20)
    await _come_due(db, off, back)  # the scheduler was down through both
    assert await service.run_due_schedules(db) == 2
    assert await _schedules(db, off, back) == ["done", "done"]
    assert await _state(db, product) == "listed"


async def test_a_product_moved_by_hand_skips_its_schedule(db):
    product = await _listed(db)
    off = await _schedule(db, product, ScheduledMove.DELIST)
    async with db.session() as session:
        await service.review(session, product, ListingAction.DELIST, new_id())
    await _come_due(db, off)
    assert await service.run_due_schedules(db) == 1
    async with db.session() as session:
        skipped = await session.get(ListingSchedule, off)
    assert skipped.state == "skipped"
    assert "no longer listed" in skipped.note or "cannot delist" in skipped.note
    assert await _events(db, DELISTED, product) == 1  # the operator's only


async def test_past_times_illegal_moves_and_cancellation(db):
    product = await _listed(db)
    async with db.session() as session:
        with pytest.raises(InvalidInput, match=r"body\.at"):
            await service.schedule(session, product, ScheduledMove.DELIST, now(), new_id())
        with pytest.raises(Conflict):
            await service.schedule(
                session, product, ScheduledMove.LIST, now() + timedelta(hours=1), new_id()
            )
    off = await _schedule(db, product, ScheduledMove.DELIST)
    async with db.session() as session:
        cancelled = await service.cancel_schedule(session, product, off, new_id())
        assert cancelled.state == "cancelled"
        with pytest.raises(Conflict):
            await service.cancel_schedule(session, product, off, new_id())
    await _come_due(db, off)
    assert await service.run_due_schedules(db) == 0
    assert await _state(db, product) == "listed"


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_four_schedulers_at_once_carry_out_each_schedule_once(db):
    products = [await _listed(db) for _ in range(5)]
    offs = [await _schedule(db, p, ScheduledMove.DELIST) for p in products]
    await _come_due(db, *offs)

    async def carry_out(schedule_id) -> bool:
        async with db.session() as session:
            done = await service.carry_out(session, schedule_id)
            await session.commit()
            return done

    # Four schedulers that all found the same five due, each carrying them out at once.
    settled = await asyncio.gather(*(carry_out(s) for s in offs * 4))
    assert sum(settled) == 5
    assert await _schedules(db, *offs) == ["done"] * 5
    assert [await _events(db, DELISTED, p) for p in products] == [1] * 5
    assert await service.run_due_schedules(db) == 0
