"""The coupons' background work: running segment grants go on, batch by batch; claimed
coupons past their validity expire."""

from chassis.background import every, run_batches
from chassis.clock import now
from chassis.http.service import Runtime
from services.campaigns.coupons import expiry, grants


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


async def expire(runtime: Runtime) -> None:
    async def batch() -> int:
        async with runtime.db.session() as session:
            return await expiry.expire_due(session, now())

    jobs = [("coupon expiry", batch, expiry.BATCH)]
    await every(
        runtime.settings.coupons_expiry_seconds, lambda: run_batches(jobs), what="coupon expiry"
    )
