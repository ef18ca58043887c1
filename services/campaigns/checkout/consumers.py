"""Order events campaigns answers: its side of the order saga."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderCancelled, OrderPaid, OrderPlaced, RefundCompleted
from services.campaigns.checkout import saga


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    if event.attribution.coupon_ids or event.attribution.flash_reservation_id:
        await saga.lock(session, event)
    elif event.attribution.campaign_ids:
        await saga.charge_prices_unanswered(session, event)


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    await saga.redeem(session, event)


@consumes(OrderCancelled)
async def on_order_cancelled(event: OrderCancelled, session: AsyncSession) -> None:
    await saga.release(session, event)


@consumes(RefundCompleted)
async def on_refund_completed(event: RefundCompleted, session: AsyncSession) -> None:
    await saga.restore(session, event)
