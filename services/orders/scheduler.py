"""The service's scheduler: orders whose time has come move on by themselves.

Unpaid past their payment window → cancelled (payment_timeout); shipped and never confirmed
→ delivered automatically; delivered and past the return window → completed. Each job takes
its rows SKIP LOCKED and moves them with the status check, so replicas share the work.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from chassis.background import every
from chassis.http.service import Runtime
from services.orders.fulfilment import service as fulfilment
from services.orders.saga import service as saga

log = logging.getLogger(__name__)
# Full batches in a row one job may run in a turn: a backlog (after a long outage) drains
# over turns without starving the jobs after it.
MAX_ROUNDS = 20

Job = tuple[str, Callable[[], Awaitable[int]], int]  # what it does, one batch, the batch size


async def sweep(jobs: Sequence[Job]) -> None:
    """One turn: each job runs while its batches come back full (there may be more due),
    at most MAX_ROUNDS times; a job that fails is logged and leaves the others their turn."""
    for what, job, batch in jobs:
        try:
            for _ in range(MAX_ROUNDS):
                if await job() < batch:
                    break
        except Exception as error:
            log.warning("%s failed; next try next turn", what, extra={"error": repr(error)})


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
    ]
    await every(settings.schedule_seconds, lambda: sweep(jobs), what="order schedule")
