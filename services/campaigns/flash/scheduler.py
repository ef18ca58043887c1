"""The flash sale's clocks: end sessions whose window closed, expire reservations not
ordered in time and give back stock; on the Redis path, write down the reservations taken in
Redis."""

import time

from chassis.background import every
from chassis.clock import now
from chassis.http.service import Runtime
from services.campaigns.flash import holds, service
from services.campaigns.flash.stock import FlashStock, RedisStock

# How long the write-down keeps its list of sessions that take reservations.
SESSIONS_REREAD_SECONDS = 1.0


def expiry(stock: FlashStock):
    """The background hook, bound to the service's stock store (which it closes at stop)."""

    async def run(runtime: Runtime) -> None:
        async def tick() -> None:
            async with runtime.db.session() as session:
                await holds.end_due(session, now())
            async with runtime.db.session() as session:
                await service.expire_due(session, now())
            async with runtime.db.session() as session:
                await service.restore_pending(session, stock)

        try:
            await every(runtime.settings.flash_tick_seconds, tick, what="flash expiry")
        finally:  # cancelled at the service's stop: the store's connections go with it
            await stock.close()

    return run


def write_down(stock: FlashStock):
    """The background hook writing Redis's reservations to the database (none without Redis):
    a batch every `flash_write_down_seconds`, so a burst costs one transaction per batch."""

    async def run(runtime: Runtime) -> None:
        if not isinstance(stock, RedisStock):
            return
        sessions, read_at = [], float("-inf")

        async def tick() -> None:
            nonlocal sessions, read_at
            if time.monotonic() - read_at > SESSIONS_REREAD_SECONDS:
                async with runtime.db.session() as session:
                    sessions = await service.taking_sessions(session, now())
                read_at = time.monotonic()
            await service.write_down(runtime.db, stock, sessions)

        await every(runtime.settings.flash_write_down_seconds, tick, what="flash write-down")

    return run
