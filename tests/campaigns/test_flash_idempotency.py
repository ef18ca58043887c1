"""Flash reservations with an Idempotency-Key, on the database path (the chassis's stored
responses, PostgreSQL) and on the Redis path (the first response kept by the reservation's
own Lua script): a retry answers as the first request and takes nothing more, racing
retries reserve once, and the key with another body is a 422. And the Redis path's
write-down: every reservation taken in Redis becomes one row with one `flash.reserved`,
however many replicas write and whichever of them dies halfway."""

import asyncio

import pytest
from flash_setup import forget, open_session, reservation, reserve, written_down
from redis.asyncio import Redis
from sqlalchemy import func, select

from chassis.events.tables import outbox
from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.testing import need
from services.campaigns.flash import service
from services.campaigns.flash.models import FlashItem, FlashReservation
from services.campaigns.flash.stock import DatabaseStock, RedisStock, stream

pytestmark = pytest.mark.postgres
SKU = new_id()
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
async def stock(request):
    if request.param == "database":
        yield DatabaseStock()
        return
    need("Redis", 6379)
    store = RedisStock(Redis.from_url(REDIS))
    store.created = []
    yield store
    await forget(store)
    await store.close()


async def _session(db, stock, units: int = 10, limit: int = 5):
    return await open_session(db, stock, SKU, units, limit)


async def _left(db, stock, flash) -> int:
    async with db.session() as session:
        item = await session.get(FlashItem, flash.items[0].id)
        return (await stock.left(session, [item]))[item.id]


async def _rows(db, flash) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(FlashReservation)
            .where(FlashReservation.session_id == flash.id)
        )


async def test_a_retry_with_the_key_answers_as_the_first_and_takes_nothing(postgres_db, stock):
    flash = await _session(postgres_db, stock)
    customer = new_id()
    first = await reserve(postgres_db, stock, flash.id, customer, SKU, "tap-1", quantity=2)
    again = await reserve(postgres_db, stock, flash.id, customer, SKU, "tap-1", quantity=2)
    assert (first.status_code, again.status_code) == (201, 201)
    assert reservation(again) == reservation(first)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    # Another key is another reservation; another customer's same key is theirs.
    other = await reserve(postgres_db, stock, flash.id, customer, SKU, "tap-2")
    theirs = await reserve(postgres_db, stock, flash.id, new_id(), SKU, "tap-1", quantity=2)
    assert len({reservation(r).id for r in (first, other, theirs)}) == 3
    await written_down(postgres_db, stock, flash.id)
    assert await _left(postgres_db, stock, flash) == 10 - 2 - 1 - 2
    assert await _rows(postgres_db, flash) == 3


async def test_the_key_with_another_body_is_a_422_naming_the_header(postgres_db, stock):
    flash = await _session(postgres_db, stock)
    customer = new_id()
    await reserve(postgres_db, stock, flash.id, customer, SKU, "tap", quantity=1)
    with pytest.raises(InvalidInput) as refused:
        await reserve(postgres_db, stock, flash.id, customer, SKU, "tap", quantity=2)
    assert refused.value.extra["errors"][0]["field"] == "header.Idempotency-Key"
    assert await _left(postgres_db, stock, flash) == 9


async def test_racing_retries_of_one_key_reserve_once(postgres_db, stock):
    flash = await _session(postgres_db, stock)
    customer = new_id()
    answers = await asyncio.gather(
        *(reserve(postgres_db, stock, flash.id, customer, SKU, "double-tap") for _ in range(12))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({reservation(a).id for a in answers}) == 1
    await written_down(postgres_db, stock, flash.id)
    assert (await _left(postgres_db, stock, flash), await _rows(postgres_db, flash)) == (9, 1)


async def _events(db) -> int:
    """`flash.reserved` events staged (the test's database is its own)."""
    async with db.session() as session:
        return await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type.like("%flash.reserved%"))
        )


async def test_two_replicas_write_each_reservation_down_once(postgres_db):
    need("Redis", 6379)
    stocks = [RedisStock(Redis.from_url(REDIS), consumer=f"replica-{n}") for n in (1, 2)]
    stocks[0].created = []
    try:
        flash = await _session(postgres_db, stocks[0], units=300, limit=1)
        await asyncio.gather(
            *(reserve(postgres_db, stocks[n % 2], flash.id, new_id(), SKU) for n in range(200))
        )
        assert await _rows(postgres_db, flash) == 0  # in Redis's stream so far
        written = await asyncio.gather(
            *(service.write_down(postgres_db, s, [flash.id]) for s in stocks)
        )
        assert sum(written) == 200
        assert await _rows(postgres_db, flash) == 200
        assert await _events(postgres_db) == 200
        assert await stocks[0].redis.xlen(stream(flash.id)) == 0
    finally:
        await forget(stocks[0])
        for s in stocks:
            await s.close()


async def test_a_batch_of_a_replica_that_died_is_written_down_once(postgres_db):
    """The replica committed its batch and died before acknowledging it: another takes the
    entries over, and the rows and events are not written twice."""
    need("Redis", 6379)
    dying = RedisStock(Redis.from_url(REDIS), consumer="dying")
    dying.created = []
    taking_over = RedisStock(Redis.from_url(REDIS), consumer="taking-over", claim_idle_ms=0)

    async def die(*_):
        raise ConnectionError("the replica died")

    try:
        flash = await _session(postgres_db, dying, units=50, limit=1)
        for _ in range(20):
            await reserve(postgres_db, dying, flash.id, new_id(), SKU)
        dying.written_down = die
        with pytest.raises(ConnectionError):
            await service.write_down(postgres_db, dying, [flash.id])
        assert await _rows(postgres_db, flash) == 20
        assert await service.write_down(postgres_db, taking_over, [flash.id]) == 0
        assert await _rows(postgres_db, flash) == 20
        assert await _events(postgres_db) == 20
        assert await dying.redis.xlen(stream(flash.id)) == 0
        assert await service.write_down(postgres_db, taking_over, [flash.id]) == 0
    finally:
        await forget(dying)
        await dying.close()
        await taking_over.close()


async def test_a_failed_write_down_is_retried_by_its_replica_at_once(postgres_db, monkeypatch):
    need("Redis", 6379)
    store = RedisStock(Redis.from_url(REDIS), consumer="flaky")
    store.created = []
    add_all, failures = service.outbox.add_all, [1]

    async def fails_once(*args):
        if failures:
            failures.pop()
            raise ConnectionError("the database went away mid-batch")
        return await add_all(*args)

    try:
        flash = await _session(postgres_db, store, units=20, limit=1)
        for _ in range(5):
            await reserve(postgres_db, store, flash.id, new_id(), SKU)
        monkeypatch.setattr(service.outbox, "add_all", fails_once)
        with pytest.raises(ConnectionError):
            await service.write_down(postgres_db, store, [flash.id])
        assert await _rows(postgres_db, flash) == 0
        # The next tick, not the claim's 15 s later: its own unacknowledged entries first.
        assert await service.write_down(postgres_db, store, [flash.id]) == 5
        assert await _events(postgres_db) == 5
    finally:
        await forget(store)
        await store.close()
