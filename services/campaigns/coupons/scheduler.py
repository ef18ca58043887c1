"""The coupon grants' worker: running segment grants go on, batch by batch."""

from chassis.background import every
from chassis.http.service import Runtime
from services.campaigns.coupons import grants


async def run(runtime: Runtime) -> None:
    async def tick() -> None:
        async with runtime.db.session() as session:
            running = await grants.running(session)
        for grant_id in running:
            while True:
                async with runtime.db.session() as session:
                    if not await grants.next_batch(session, grant_id):
                        break

    await every(runtime.settings.grants_tick_seconds, tick, what="segment grants")
