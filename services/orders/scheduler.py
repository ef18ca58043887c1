"""The service's scheduler: orders whose time has come move on by themselves.

Unpaid past their payment window → cancelled (payment_timeout); shipped and never confirmed
→ delivered automatically; delivered and past the return window → completed; anonymous carts
untouched past their time to live → deleted. Each job takes
its rows SKIP LOCKED and moves them with the status check, so replicas share the work.
"""

from datetime import timedelta

from chassis.background import Job, every, run_batches
from chassis.http.service import Runtime
from services.orders.carts import anonymous as anonymous_carts
from services.orders.fulfilment import service as fulfilment
from services.orders.saga import service as saga


async def run_schedule(runtime: Runtime) -> None:
    """Run as long as the service does (a background hook of build_service)."""
    settings, db = runtime.settings, runtime.db
    jobs: list[Job] = [
        ("cancelling unpaid orders", lambda: saga.expire_unpaid(db), saga.SWEEP_BATCH),
        (
            "confirming receipt",
            lambda: fulfilment.deliver_overdue(
                db, timedelta(days=settings.delivery_auto_confirm_days)
            ),
            fulfilment.SWEEP_BATCH,
        ),
        (
            "completing orders",
            lambda: fulfilment.complete_due(db, settings.return_window),
            fulfilment.SWEEP_BATCH,
        ),
        (
            "deleting expired anonymous carts",
            lambda: anonymous_carts.delete_expired(db, settings.anonymous_cart_ttl),
            anonymous_carts.SWEEP_BATCH,
        ),
    ]
    await every(settings.schedule_seconds, lambda: run_batches(jobs), what="order schedule")
