"""The calendar's clock: a background loop that moves campaigns when their time comes."""

from chassis.background import every
from chassis.clock import now
from chassis.http.service import Runtime
from services.campaigns.calendar import service


async def run(runtime: Runtime) -> None:
    async def tick() -> None:
        async with runtime.db.session() as session:
            await service.advance(session, now())

    await every(runtime.settings.calendar_tick_seconds, tick, what="campaign calendar")
