"""The service's scheduler of payment timeouts: unpaid orders are cancelled when due."""

from chassis.background import every
from chassis.http.service import Runtime
from services.orders.saga.service import SWEEP_BATCH, expire_unpaid


async def cancel_unpaid(runtime: Runtime) -> None:
    """Run as long as the service does (a background hook of build_service)."""

    async def sweep() -> None:
        while await expire_unpaid(runtime.db) == SWEEP_BATCH:
            pass  # a full batch: there may be more due now

    await every(runtime.settings.payment_sweep_seconds, sweep, what="unpaid order sweep")
