"""The participants' answers the saga consumes: catalog's stock, campaigns' coupons, users'
points. Built per service instance, because the payment window is a setting."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.campaigns import CouponsLocked, CouponsRefused
from contracts.catalog import StockRejected, StockReserved
from contracts.users import PointsHeld, PointsRefused
from services.orders.saga import service
from services.orders.saga.coordinator import Answer, Participant


def saga_handlers(payment_window: timedelta) -> list[Handler]:
    async def reply(session, order_id, participant, answer: Answer, cause: str) -> None:
        await service.answer(
            session, order_id, participant, answer, cause=cause, payment_window=payment_window
        )

    @consumes(StockReserved)
    async def on_stock_reserved(event: StockReserved, session: AsyncSession) -> None:
        await reply(session, event.order_id, Participant.STOCK, Answer(True), "stock reserved")

    @consumes(StockRejected)
    async def on_stock_rejected(event: StockRejected, session: AsyncSession) -> None:
        failed = "; ".join(
            f"{line.sku_id}: {line.requested} requested, {line.available} available"
            for line in event.lines
        )
        await reply(
            session, event.order_id, Participant.STOCK, Answer(False, failed), "stock rejected"
        )

    @consumes(CouponsLocked)
    async def on_coupons_locked(event: CouponsLocked, session: AsyncSession) -> None:
        await reply(session, event.order_id, Participant.COUPONS, Answer(True), "coupons locked")

    @consumes(CouponsRefused)
    async def on_coupons_refused(event: CouponsRefused, session: AsyncSession) -> None:
        await reply(
            session,
            event.order_id,
            Participant.COUPONS,
            Answer(False, event.reason),
            "coupons refused",
        )

    @consumes(PointsHeld)
    async def on_points_held(event: PointsHeld, session: AsyncSession) -> None:
        await reply(session, event.order_id, Participant.POINTS, Answer(True), "points held")

    @consumes(PointsRefused)
    async def on_points_refused(event: PointsRefused, session: AsyncSession) -> None:
        detail = f"{event.points} points asked, {event.available} available"
        await reply(
            session, event.order_id, Participant.POINTS, Answer(False, detail), "points refused"
        )

    return [
        on_stock_reserved,
        on_stock_rejected,
        on_coupons_locked,
        on_coupons_refused,
        on_points_held,
        on_points_refused,
    ]
