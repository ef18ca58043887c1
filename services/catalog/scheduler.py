"""The catalog's clock: a background loop that starts and ends scheduled price changes and
lists and delists products on time."""

from chassis.background import Job, every, run_batches
from chassis.http.service import Runtime
from services.catalog.pricing import service as pricing
from services.catalog.products import service as products


async def run(runtime: Runtime) -> None:
    """Safe on every replica: each change of state is guarded, each price change versioned."""
    settings, db = runtime.settings, runtime.db
    jobs: list[Job] = [
        (
            "settling price changes",
            lambda: pricing.settle_due(db, settings.min_margin_bps),
            pricing.SWEEP_BATCH,
        ),
        ("listing schedules", lambda: products.run_due_schedules(db), products.SWEEP_BATCH),
    ]
    await every(settings.schedule_seconds, lambda: run_batches(jobs), what="catalog schedule")
