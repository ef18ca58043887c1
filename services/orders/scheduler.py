"""The service's scheduler: orders whose time has come move on by themselves.

Unpaid past their payment window → cancelled (payment_timeout); shipped and never confirmed
→ delivered automatically; delivered and past the return window → completed. Each job takes
its rows SKIP LOCKED and moves them with the status check, so replicas share the work.
"""

from datetime import timedelta

from chassis.background import every
from chassis.http.service import Runtime
from services.orders.fulfilment import service as fulfilment
from services.orders.saga import service as saga


async def run_schedule(runtime: Runtime) -> None:
    """Run as long as the service does (a background hook of build_service)."""
    settings, db = runtime.settings, runtime.db
    jobs = (
        (lambda: saga.expire_unpaid(db), saga.SWEEP_BATCH),
        (
            lambda: fulfilment.deliver_overdue(
                db, timedelta(days=settings.delivery_auto_confirm_days)
            ),
            fulfilment.SWEEP_BATCH,
        ),
        (
            lambda: fulfilment.complete_due(db, settings.return_window),
            fulfilment.SWEEP_BATCH,
        ),
    )

    async def sweep() -> None:
        for job, batch in jobs:
            while await job() == batch:
                pass  # a full batch: there may be more due now

    await every(settings.schedule_seconds, sweep, what="order schedule")
