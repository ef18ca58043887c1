"""The bargains' clock: bargains past their time expire, those not ordered in time lapse."""

from chassis.background import every
from chassis.clock import now
from chassis.http.service import Runtime
from services.campaigns.bargains import service


async def run(runtime: Runtime) -> None:
    async def tick() -> None:
        async with runtime.db.session() as session:
            await service.expire_due(session, now())

    await every(runtime.settings.bargains_tick_seconds, tick, what="bargain expiry")
