"""A flash session and the catalog's hold of its stock, on both backends: scheduled with its
`flash.session_scheduled`, on sale only once every item is held, ended once (by time, a
cancel or a refusal) with its `flash.session_ended`; catalog's answers delivered again change
nothing. On PostgreSQL: ends and cancels racing on one session end it once. And the
process's cache of sessions sees a change within its recheck without stalling a burst."""

import asyncio
import dataclasses
import json
import time
from datetime import datetime, timedelta

import pytest
from flash_setup import open_session, reservation, reserve
from sqlalchemy import select

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.http.problems import Conflict
from chassis.ids import new_id
from contracts.catalog import FlashStockHeld, FlashStockRefused, FlashStockReturned
from services.campaigns.flash import holds, service, sessions
from services.campaigns.flash.models import FlashItem, FlashSession
from services.campaigns.flash.schemas import SessionRequest
from services.campaigns.flash.sessions import SessionCache
from services.campaigns.flash.stock import DatabaseStock

STOCK = DatabaseStock()
SCHEDULED = "flywheel.campaigns.flash.session_scheduled.v1"
ENDED = "flywheel.campaigns.flash.session_ended.v1"


async def _events(db: Database, type_: str, session_id) -> list[dict]:
    async with db.session() as session:
        payloads = await session.scalars(
            select(outbox.c.payload)
            .where(outbox.c.type == type_, outbox.c.key == str(session_id))
            .order_by(outbox.c.seq)
        )
        return [json.loads(p)["data"] for p in payloads]


async def _take(db: Database, step, event) -> None:
    async with db.session() as session:
        await step(session, event)
        await session.commit()


async def _state(db: Database, session_id) -> str:
    async with db.session() as session:
        return (await session.get(FlashSession, session_id)).state


def _held(flash, sku_id, units=5) -> FlashStockHeld:
    return FlashStockHeld(session_id=flash.id, sku_id=sku_id, quantity=units, at=now())


def _refused(flash, sku_id, available=3) -> FlashStockRefused:
    return FlashStockRefused(
        session_id=flash.id, sku_id=sku_id, requested=5, available=available, at=now()
    )


async def _two_items(db: Database):
    at = now()
    body = SessionRequest(
        name="20:00 秒杀",
        starts_at=at - timedelta(minutes=1),
        ends_at=at + timedelta(hours=1),
        items=[
            {"sku_id": new_id(), "flash_price": {"amount": 9_90, "currency": "CNY"}, "stock": 5}
            for _ in range(2)
        ],
    )
    async with db.session() as session:
        return await service.create_session(session, body, new_id(), STOCK)


async def test_scheduling_stages_the_items_stock_and_reserving_waits_for_the_hold(
    campaigns_db, monkeypatch
):
    sku = new_id()
    flash = await open_session(campaigns_db, STOCK, sku, units=5, limit=2, held=False)
    (scheduled,) = await _events(campaigns_db, SCHEDULED, flash.id)
    assert scheduled["items"] == [{"sku_id": str(sku), "quantity": 5}]
    window = [datetime.fromisoformat(scheduled[at]) for at in ("starts_at", "ends_at")]
    assert window == [flash.starts_at, flash.ends_at]
    with pytest.raises(Conflict, match="not on sale yet"):
        await reserve(campaigns_db, STOCK, flash.id, new_id(), sku)
    assert await _state(campaigns_db, flash.id) == "pending"

    await _take(campaigns_db, holds.held, _held(flash, sku))
    await _take(campaigns_db, holds.held, _held(flash, sku))  # republished: nothing more
    assert await _state(campaigns_db, flash.id) == "held"
    # The process read the session before the hold; it reads it again once RECHECK_SECONDS
    # have passed (none here), and sells.
    monkeypatch.setattr(sessions, "RECHECK_SECONDS", 0.0)
    taken = reservation(await reserve(campaigns_db, STOCK, flash.id, new_id(), sku))
    assert taken.quantity == 1


async def test_a_session_is_on_sale_only_once_every_item_is_held(campaigns_db):
    flash = await _two_items(campaigns_db)
    first, second = (item.sku_id for item in flash.items)
    await _take(campaigns_db, holds.held, _held(flash, first))
    assert await _state(campaigns_db, flash.id) == "pending"
    await _take(campaigns_db, holds.held, _held(flash, second))
    assert await _state(campaigns_db, flash.id) == "held"
    # A refusal after the hold (never catalog's, which answers once per SKU) changes nothing.
    await _take(campaigns_db, holds.refused, _refused(flash, second))
    assert await _state(campaigns_db, flash.id) == "held"
    assert await _events(campaigns_db, ENDED, flash.id) == []


async def test_a_refused_item_ends_the_session_at_once_and_once(campaigns_db):
    flash = await _two_items(campaigns_db)
    first, second = (item.sku_id for item in flash.items)
    await _take(campaigns_db, holds.held, _held(flash, first))
    await _take(campaigns_db, holds.refused, _refused(flash, second))
    await _take(campaigns_db, holds.refused, _refused(flash, second, available=4))  # again
    assert await _state(campaigns_db, flash.id) == "refused"
    (ended,) = await _events(campaigns_db, ENDED, flash.id)
    assert ended["cancelled"] is True  # catalog gives back what it held for `first`
    async with campaigns_db.session() as session:
        assert await holds.end_due(session, flash.ends_at + timedelta(seconds=1)) == 0
        with pytest.raises(Conflict, match="refused"):
            await holds.cancel(session, flash.id)
        item = await session.scalar(select(FlashItem).where(FlashItem.sku_id == second))
    assert (item.hold, item.hold_available) == ("refused", 3)  # the first answer's figure
    with pytest.raises(Conflict, match="could not set its stock aside"):
        await reserve(campaigns_db, STOCK, flash.id, new_id(), first)
    assert len(await _events(campaigns_db, ENDED, flash.id)) == 1


async def test_the_window_ends_a_session_once_and_the_catalogs_figures_are_kept(campaigns_db):
    sku = new_id()
    flash = await open_session(campaigns_db, STOCK, sku, units=5, limit=2)
    after = flash.ends_at + timedelta(seconds=1)
    async with campaigns_db.session() as session:
        assert await holds.end_due(session, flash.ends_at - timedelta(seconds=1)) == 0
        assert await holds.end_due(session, after) == 1
        assert await holds.end_due(session, after) == 0
    (ended,) = await _events(campaigns_db, ENDED, flash.id)
    assert ended["cancelled"] is False
    assert await _state(campaigns_db, flash.id) == "ended"

    returned = FlashStockReturned(
        session_id=flash.id, sku_id=sku, held=5, sold=2, returned=3, at=now()
    )
    await _take(campaigns_db, holds.returned, returned)
    await _take(campaigns_db, holds.returned, returned.model_copy(update={"returned": 5}))
    async with campaigns_db.session() as session:
        item = await session.scalar(select(FlashItem).where(FlashItem.session_id == flash.id))
    assert (item.sold, item.returned) == (2, 3)


async def test_a_cancel_stops_the_sale_on_every_replica_and_ends_it_once(campaigns_db, monkeypatch):
    sku = new_id()
    flash = await open_session(campaigns_db, STOCK, sku, units=5, limit=2)
    other_replica = SessionCache()
    assert (await other_replica.get(campaigns_db, flash.id)).state == "held"
    async with campaigns_db.session() as session:
        assert (await holds.cancel(session, flash.id)).state == "cancelled"
        with pytest.raises(Conflict, match="cancelled"):
            await holds.cancel(session, flash.id)
        assert await holds.end_due(session, flash.ends_at + timedelta(seconds=1)) == 0
    (ended,) = await _events(campaigns_db, ENDED, flash.id)
    assert ended["cancelled"] is True
    # Within RECHECK_SECONDS the other replica still has it on sale; past them, not.
    assert (await other_replica.get(campaigns_db, flash.id)).state == "held"
    monkeypatch.setattr(sessions, "RECHECK_SECONDS", 0.0)
    assert (await other_replica.get(campaigns_db, flash.id)).state == "cancelled"


async def test_ends_and_cancels_racing_on_one_session_end_it_once(postgres_db):
    flash = await open_session(postgres_db, STOCK, new_id(), units=5, limit=2)
    after = flash.ends_at + timedelta(seconds=1)

    async def ending() -> int:
        async with postgres_db.session() as session:
            return await holds.end_due(session, after)

    async def cancelling() -> int:
        async with postgres_db.session() as session:
            try:
                await holds.cancel(session, flash.id)
            except Conflict:
                return 0
            return 1

    moved = await asyncio.gather(*[ending() for _ in range(8)], *[cancelling() for _ in range(8)])
    assert sum(moved) == 1
    assert len(await _events(postgres_db, ENDED, flash.id)) == 1


async def test_a_stale_session_is_read_again_once_while_the_others_are_served_meanwhile():
    """The recheck must not queue the opening burst on one read: while one request reads a
    stale session again, the others get the terms of a moment ago."""
    reading, release, reads = asyncio.Event(), asyncio.Event(), []
    flash_id = new_id()

    class Slow(SessionCache):
        async def _read(self, db, session_id):
            reads.append(session_id)
            reading.set()
            await release.wait()
            terms = dataclasses.replace(before, state="cancelled", read_at=time.monotonic())
            self._terms[session_id] = terms  # as `put` keeps it
            return terms

    cache = Slow()
    before = sessions.SessionTerms(flash_id, "20:00", None, now(), now(), 15, (), read_at=0.0)
    cache._terms[flash_id] = before  # read long ago: stale
    first = asyncio.create_task(cache.get(None, flash_id))
    await reading.wait()
    # Served, not queued behind the read (queued, it would wait for `release` for ever).
    assert await asyncio.wait_for(cache.get(None, flash_id), timeout=5) is before
    release.set()
    assert (await first).state == "cancelled"
    assert (await cache.get(None, flash_id)).state == "cancelled"
    assert reads == [flash_id]
