"""The group buys' clock: groups still open when their time runs out fail."""

from chassis.background import every
from chassis.clock import now
from chassis.http.service import Runtime
from services.campaigns.groups import service


async def run(runtime: Runtime) -> None:
    async def tick() -> None:
        async with runtime.db.session() as session:
            await service.expire_due(session, now())

    await every(runtime.settings.groups_tick_seconds, tick, what="group expiry")
