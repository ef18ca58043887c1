"""Flash stock and the per-customer limit, taken atomically: one Redis Lua script when
`REDIS_URL` is set, guarded database statements otherwise. Both give a reservation's units
back at most once.

Redis keys of one item share the hash tag `{flash:<item id>}`, so on Redis Cluster one
script touches one slot: `:stock` (units left), `:holders` (customer → units held) and
`:held` (reservation id → "customer:units", what a give-back returns, once)."""

import asyncio
import time
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from redis.asyncio import Redis
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.campaigns.flash.models import FlashHolding, FlashItem, FlashReservation

# How long the database path remembers that an item sold out, refusing without a query:
# stock given back (by an expiry, perhaps on another replica) is on sale again this late.
SOLD_OUT_MEMORY_SECONDS = 1.0


class Taken(StrEnum):
    TAKEN = "taken"
    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"


class FlashStock(Protocol):
    async def load(self, item: FlashItem) -> None: ...

    async def take(
        self,
        session: AsyncSession,
        item: FlashItem,
        customer_id: UUID,
        units: int,
        reservation_id: UUID,
    ) -> Taken: ...

    async def give_back(self, session: AsyncSession, reservation: FlashReservation) -> None: ...

    async def left(self, items: list[FlashItem]) -> dict[UUID, int]: ...

    async def close(self) -> None: ...


class DatabaseStock:
    """Stock in `flash_items.stock_left`, holdings in `flash_holdings`, in the caller's
    transaction: the reservation row commits with what it took, or nothing does."""

    def __init__(self, concurrency: int = 16) -> None:
        self._sold_out: dict[UUID, float] = {}  # item id → until when (monotonic)
        # Takes wait here, not on the connection pool: a burst queues in memory, and once
        # an item sold out the queue drains by the shortcut below, without a query each.
        self._gate = asyncio.Semaphore(concurrency)

    async def load(self, item: FlashItem) -> None:
        pass  # stock_left starts at the stock

    async def take(self, session, item, customer_id, units, reservation_id) -> Taken:
        async with self._gate:
            if self._sold_out.get(item.id, 0.0) > time.monotonic():
                return Taken.SOLD_OUT  # a shortcut only: the guarded UPDATE is the rule
            return await self._take(session, item, customer_id, units)

    async def _take(self, session, item, customer_id, units) -> Taken:
        # The limit first: a customer over it never queues on the hot stock row.
        insert = (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert
        held = await session.execute(
            insert(FlashHolding)
            .values(item_id=item.id, customer_id=customer_id, reserved=units)
            .on_conflict_do_update(
                index_elements=[FlashHolding.item_id, FlashHolding.customer_id],
                set_={"reserved": FlashHolding.reserved + units},
                where=FlashHolding.reserved + units <= item.per_user_limit,
            )
        )
        if held.rowcount != 1:
            return Taken.OVER_LIMIT
        taken = await session.execute(
            update(FlashItem)
            .where(FlashItem.id == item.id, FlashItem.stock_left >= units)
            .values(stock_left=FlashItem.stock_left - units)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            return Taken.TAKEN
        self._sold_out[item.id] = time.monotonic() + SOLD_OUT_MEMORY_SECONDS
        return Taken.SOLD_OUT

    async def give_back(self, session, reservation) -> None:
        self._sold_out.pop(reservation.item_id, None)
        await session.execute(
            update(FlashItem)
            .where(FlashItem.id == reservation.item_id)
            .values(stock_left=FlashItem.stock_left + reservation.quantity)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(FlashHolding)
            .where(
                FlashHolding.item_id == reservation.item_id,
                FlashHolding.customer_id == reservation.customer_id,
            )
            .values(reserved=FlashHolding.reserved - reservation.quantity)
            .execution_options(synchronize_session=False)
        )

    async def left(self, session, items) -> dict[UUID, int]:
        rows = await session.execute(
            select(FlashItem.id, FlashItem.stock_left).where(
                FlashItem.id.in_([item.id for item in items])
            )
        )
        return {item_id: left for item_id, left in rows}

    async def close(self) -> None:
        pass


TAKE = """
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local units = tonumber(ARGV[2])
if held + units > tonumber(ARGV[3]) then return -2 end
local left = tonumber(redis.call('GET', KEYS[1]) or '-1')
if left < units then return -1 end
redis.call('DECRBY', KEYS[1], units)
redis.call('HINCRBY', KEYS[2], ARGV[1], units)
redis.call('HSET', KEYS[3], ARGV[4], ARGV[1] .. ':' .. units)
return left - units
"""

GIVE_BACK = """
local entry = redis.call('HGET', KEYS[3], ARGV[1])
if not entry then return 0 end
redis.call('HDEL', KEYS[3], ARGV[1])
local customer, units = string.match(entry, '^(.*):(%d+)$')
redis.call('INCRBY', KEYS[1], units)
redis.call('HINCRBY', KEYS[2], customer, -tonumber(units))
return tonumber(units)
"""


def keys(item_id: UUID) -> list[str]:
    tag = f"{{flash:{item_id}}}"
    return [f"{tag}:stock", f"{tag}:holders", f"{tag}:held"]


class RedisStock:
    """Stock and holdings in Redis, each take and give-back one script. The database keeps
    the reservations; a reservation row that fails to commit gives its units back."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._take = redis.register_script(TAKE)
        self._give_back = redis.register_script(GIVE_BACK)

    async def load(self, item: FlashItem) -> None:
        await self.redis.set(keys(item.id)[0], item.stock, nx=True)

    async def take(self, session, item, customer_id, units, reservation_id) -> Taken:
        result = await self._take(
            keys=keys(item.id),
            args=[str(customer_id), units, item.per_user_limit, str(reservation_id)],
        )
        return {-2: Taken.OVER_LIMIT, -1: Taken.SOLD_OUT}.get(result, Taken.TAKEN)

    async def undo(self, item_id: UUID, reservation_id: UUID) -> None:
        """Give back a take whose reservation did not commit."""
        await self._give_back(keys=keys(item_id), args=[str(reservation_id)])

    async def give_back(self, session, reservation) -> None:
        # Idempotent by reservation id: a give-back repeated after a failed commit is a no-op.
        await self.undo(reservation.item_id, reservation.id)

    async def left(self, session, items) -> dict[UUID, int]:
        if not items:
            return {}
        values = await self.redis.mget([keys(item.id)[0] for item in items])
        return {
            item.id: int(value) if value is not None else item.stock
            for item, value in zip(items, values, strict=True)
        }

    async def close(self) -> None:
        await self.redis.aclose()
