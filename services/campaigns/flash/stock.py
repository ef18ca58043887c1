"""Flash stock and the per-customer limit, taken atomically: one Redis Lua script when
`REDIS_URL` is set, guarded database statements otherwise. Both give a reservation's units
back at most once.

Redis keys of one session share the hash tag `{flash:<session id>}` (DESIGN §7), so on Redis
Cluster one script touches one slot. Per item: `<item>:stock` (units left), `<item>:holders`
(customer → units held) and `<item>:held` (reservation id → "customer:units", what a
give-back returns, once); per session: `reserved` (the stream of reservations taken and not
yet written to the database) and `idempotency:<customer>:<key hash>` (a reservation's first
response, for a retry with the same Idempotency-Key)."""

import asyncio
import hashlib
import os
import socket
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ResponseError
from sqlalchemy import bindparam, select, update
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

    async def give_back(self, session: AsyncSession, reservation: FlashReservation) -> None: ...

    async def left(self, items: list[FlashItem]) -> dict[UUID, int]: ...

    async def close(self) -> None: ...


holdings = FlashHolding.__table__


def _hold(dialect):
    units = bindparam("units")
    return (
        dialect.insert(holdings)
        .values(item_id=bindparam("item_id"), customer_id=bindparam("customer_id"), reserved=units)
        .on_conflict_do_update(
            index_elements=[holdings.c.item_id, holdings.c.customer_id],
            set_={"reserved": holdings.c.reserved + units},
            where=holdings.c.reserved + units <= bindparam("limit"),
        )
    )


# Built once (the hot path builds no statement): the guarded upsert of a customer's holding,
# per database, and the guarded update of the stock.
HOLD = {dialect.dialect.name: _hold(dialect) for dialect in (postgresql, sqlite)}
items = FlashItem.__table__
TAKE_STOCK = (
    update(items)
    .where(items.c.id == bindparam("item_id"), items.c.stock_left >= bindparam("units"))
    .values(stock_left=items.c.stock_left - bindparam("units"))
)


class DatabaseStock:
    """Stock in `flash_items.stock_left`, holdings in `flash_holdings`, in the caller's
    transaction: the reservation row commits with what it took, or nothing does.

    A reservation is `hold` (the customer's limit), then its rows, then `take` (the hot
    stock row) right before the commit: the row lock every reservation queues on is held
    for the commit's round trip, not for the inserts'. At most `concurrency` reservations
    run at once (`gate`, around their whole transaction): a burst queues in memory, not on
    the connection pool, whose overflow connections would be opened and closed by the
    hundred (each one a connection setup on both sides)."""

    def __init__(self, concurrency: int = 16) -> None:
        self._sold_out: dict[UUID, float] = {}  # item id → until when (monotonic)
        self.gate = asyncio.Semaphore(concurrency)

    async def load(self, item: FlashItem) -> None:
        pass  # stock_left starts at the stock

    async def hold(self, session, item, customer_id, units) -> Taken:
        """The customer's limit (first: a customer over it never queues on the stock row),
        or SOLD_OUT while the item is remembered sold out."""
        if self._sold_out.get(item.id, 0.0) > time.monotonic():
            return Taken.SOLD_OUT  # a shortcut only: the guarded UPDATE is the rule
        # On the session's connection, as Core: the ORM would take the statements for bulk
        # operations on the mapped classes.
        connection = await session.connection()
        held = await connection.execute(
            HOLD[session.bind.dialect.name],
            {
                "item_id": item.id,
                "customer_id": customer_id,
                "units": units,
                "limit": item.per_user_limit,
            },
        )
        return Taken.TAKEN if held.rowcount == 1 else Taken.OVER_LIMIT

    async def take(self, session, item, units) -> Taken:
        """The stock, in one guarded update."""
        connection = await session.connection()
        taken = await connection.execute(TAKE_STOCK, {"item_id": item.id, "units": units})
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
if KEYS[5] then
  local first = redis.call('GET', KEYS[5])
  if first then return {0, first} end
end
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local units = tonumber(ARGV[2])
if held + units > tonumber(ARGV[3]) then return {-2} end
local left = tonumber(redis.call('GET', KEYS[1]) or '-1')
if left < units then return {-1} end
redis.call('DECRBY', KEYS[1], units)
redis.call('HINCRBY', KEYS[2], ARGV[1], units)
redis.call('HSET', KEYS[3], ARGV[4], ARGV[1] .. ':' .. units)
redis.call('XADD', KEYS[4], '*', 'item', ARGV[5], 'customer', ARGV[1], 'body', ARGV[6])
if KEYS[5] then redis.call('SET', KEYS[5], ARGV[7] .. '\\n' .. ARGV[6], 'EX', ARGV[8]) end
return {1}
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

REDIS_CONNECTIONS = 64  # per process; more buy nothing against one single-threaded Redis
GROUP = "campaigns"  # the consumer group of the replicas that write reservations down
# An entry read by a replica that died before writing it down is taken over this late.
CLAIM_IDLE_MS = 15_000


def keys(session_id: UUID, item_id: UUID) -> list[str]:
    """An item's stock, holders and held reservations, under its session's hash tag."""
    tag = f"{{flash:{session_id}}}:{item_id}"
    return [f"{tag}:stock", f"{tag}:holders", f"{tag}:held"]


def stream(session_id: UUID) -> str:
    """The session's reservations taken in Redis and not yet written to the database."""
    return f"{{flash:{session_id}}}:reserved"


def replay_key(session_id: UUID, caller: UUID, key: str) -> str:
    """Where a reservation's response is kept under its Idempotency-Key (the key hashed:
    it may be any 255 characters)."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{{flash:{session_id}}}:idempotency:{caller}:{digest}"


@dataclass(frozen=True)
class Replay:
    """The first response of a request with this Idempotency-Key, and what it asked."""

    fingerprint: str
    body: str


@dataclass(frozen=True)
class Pending:
    """A reservation taken in Redis, as its stream entry holds it, to be written down."""

    entry_id: str
    item_id: UUID
    customer_id: UUID
    body: str  # the reservation's response body (ReservationOut JSON)


class RedisStock:
    """Stock, holdings and the reservations taken, in Redis, each take one script: it also
    appends the reservation to its session's stream (and keeps the response under the
    request's Idempotency-Key), so the response needs no database write. The service writes
    the stream down in batches (`written_down`); until then the stream is the record."""

    def __init__(
        self, redis: Redis, consumer: str | None = None, claim_idle_ms: int = CLAIM_IDLE_MS
    ) -> None:
        self.redis = redis
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_ms = claim_idle_ms
        self._take = redis.register_script(TAKE)
        self._give_back = redis.register_script(GIVE_BACK)
        self._groups: set[UUID] = set()

    @classmethod
    def connect(cls, url: str, connections: int = REDIS_CONNECTIONS) -> "RedisStock":
        """A store whose requests wait for one of `connections` connections: redis-py's own
        pool refuses the 101st concurrent command (MaxConnectionsError, a 500), and the
        opening second of a sale sends hundreds at once."""
        pool = BlockingConnectionPool.from_url(url, max_connections=connections, timeout=10)
        return cls(Redis(connection_pool=pool))

    async def load(self, item: FlashItem) -> None:
        await self.redis.set(keys(item.session_id, item.id)[0], item.stock, nx=True)
        await self._group(item.session_id)

    async def reserve(
        self,
        item,
        customer_id: UUID,
        units: int,
        reservation_id: UUID,
        body: str,
        replay: tuple[str, str] | None = None,
        replay_seconds: int = 86_400,
    ) -> Taken | Replay:
        """Take `units` for the customer and record the reservation whose response is `body`;
        with `replay` (the Redis key of the request's Idempotency-Key, its fingerprint) a
        request seen before takes nothing and gets the first response back."""
        names = [*keys(item.session_id, item.id), stream(item.session_id)]
        args = [str(customer_id), units, item.per_user_limit, str(reservation_id)]
        args += [str(item.id), body]
        if replay is not None:
            names.append(replay[0])
            args += [replay[1], replay_seconds]
        result = await self._take(keys=names, args=args)
        if result[0] == 0:
            fingerprint, _, first = result[1].decode().partition("\n")
            return Replay(fingerprint, first)
        return {-2: Taken.OVER_LIMIT, -1: Taken.SOLD_OUT}.get(result[0], Taken.TAKEN)

    async def first_response(self, name: str) -> Replay | None:
        first = await self.redis.get(name)
        if first is None:
            return None
        fingerprint, _, body = first.decode().partition("\n")
        return Replay(fingerprint, body)

    async def give_back(self, session, reservation) -> None:
        # Idempotent by reservation id: a give-back repeated after a failed commit is a no-op.
        await self._give_back(
            keys=keys(reservation.session_id, reservation.item_id), args=[str(reservation.id)]
        )

    async def pending(self, session_id: UUID, count: int = 1000) -> list[Pending]:
        """Reservations of the session not yet written down: first those this replica read
        and did not acknowledge (its last write-down failed: retried at once), then those
        another replica read and never acknowledged (it died), then new ones; each read by
        one replica at a time."""
        await self._group(session_id)
        name = stream(session_id)
        mine = await self.redis.xreadgroup(GROUP, self.consumer, {name: "0"}, count=count)
        entries = [entry for entry in (mine[0][1] if mine else []) if entry[1]]
        if not entries:
            _, claimed, *_ = await self.redis.xautoclaim(
                name, GROUP, self.consumer, self.claim_idle_ms, "0-0", count=count
            )
            entries = list(claimed)
        if len(entries) < count:
            read = await self.redis.xreadgroup(
                GROUP, self.consumer, {name: ">"}, count=count - len(entries)
            )
            entries += read[0][1] if read else []
        return [
            Pending(
                entry_id.decode(),
                UUID(fields[b"item"].decode()),
                UUID(fields[b"customer"].decode()),
                fields[b"body"].decode(),
            )
            for entry_id, fields in entries
            if fields  # an entry deleted while pending comes back empty
        ]

    async def written_down(self, session_id: UUID, entries: list[Pending]) -> None:
        """The entries are in the database: acknowledged and dropped from the stream."""
        if entries:
            ids = [entry.entry_id for entry in entries]
            name = stream(session_id)
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xack(name, GROUP, *ids)
                pipe.xdel(name, *ids)
                await pipe.execute()

    async def _group(self, session_id: UUID) -> None:
        if session_id in self._groups:
            return
        try:
            await self.redis.xgroup_create(stream(session_id), GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._groups.add(session_id)

    async def left(self, session, items) -> dict[UUID, int]:
        if not items:
            return {}
        values = await self.redis.mget([keys(item.session_id, item.id)[0] for item in items])
        return {
            item.id: int(value) if value is not None else item.stock
            for item, value in zip(items, values, strict=True)
        }

    async def close(self) -> None:
        await self.redis.aclose()
