"""The flash sale's clock: expire reservations not ordered in time, give back stock."""

from chassis.background import every
from chassis.clock import now
from chassis.http.service import Runtime
from services.campaigns.flash import service
from services.campaigns.flash.stock import FlashStock


def expiry(stock: FlashStock):
    """The background hook, bound to the service's stock store (which it closes at stop)."""

    async def run(runtime: Runtime) -> None:
        async def tick() -> None:
            async with runtime.db.session() as session:
                await service.expire_due(session, now())
            async with runtime.db.session() as session:
                await service.restore_pending(session, stock)

        try:
            await every(runtime.settings.flash_tick_seconds, tick, what="flash expiry")
        finally:  # cancelled at the service's stop: the store's connections go with it
            await stock.close()

    return run
