"""The pricing clock: a background loop that starts and ends scheduled price changes on time."""

from chassis.background import every
from chassis.http.service import Runtime
from services.catalog.pricing import service


async def run(runtime: Runtime) -> None:
    """Safe on every replica: each change of state is guarded, each price change versioned."""
    settings = runtime.settings

    async def tick() -> None:
        while await service.settle_due(runtime.db, settings.min_margin_bps) == service.SWEEP_BATCH:
            pass  # a full batch: there may be more due now

    await every(settings.price_schedule_seconds, tick, what="price schedule")
