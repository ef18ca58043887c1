"""The order saga's stock side: the events of orders that the catalog answers, the goods
that refunds bring back, and the stock campaigns' flash sessions hold."""

import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.campaigns import FlashReserved, FlashSessionEnded, FlashSessionScheduled
from contracts.orders import OrderCancelled, OrderPaid, OrderPlaced, RefundCompleted
from services.catalog.inventory import service
from services.catalog.products.models import Product, Sku

log = logging.getLogger(__name__)


def saga_handlers(reservation_ttl: timedelta) -> list[Handler]:
    """The handlers, with the time a reservation is held for an unpaid order."""

    @consumes(OrderPlaced)
    async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
        """Reserve the order's stock (or reject it), and count the units ordered: the demand
        signal of a hot item."""
        lines = [(line.sku_id, line.quantity) for line in event.lines]
        flash = service.carried_flash_draw(event)
        if flash is None and (reservation_id := event.attribution.flash_reservation_id):
            # An order without the session (placed before orders carried it): the session
            # comes from campaigns' flash.reserved, if it arrived first.
            flash = await service.flash_draw(session, reservation_id)
            if flash is None:
                log.warning(
                    "order %s names flash reservation %s, not announced (yet): its lines "
                    "are reserved from the general stock",
                    event.order_id,
                    reservation_id,
                )
        await service.reserve(session, event.order_id, lines, reservation_ttl, flash)
        for sku_id, quantity in lines:
            await session.execute(
                update(Product)
                .where(
                    Product.id == select(Sku.product_id).where(Sku.id == sku_id).scalar_subquery()
                )
                .values(units_sold=Product.units_sold + quantity)
                .execution_options(synchronize_session=False)
            )

    @consumes(OrderPaid)
    async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
        await service.confirm(session, event.order_id)

    @consumes(OrderCancelled)
    async def on_order_cancelled(event: OrderCancelled, session: AsyncSession) -> None:
        await service.release(session, event.order_id, expired=False)

    @consumes(RefundCompleted)
    async def on_refund_completed(event: RefundCompleted, session: AsyncSession) -> None:
        """Goods back from the customer count against the order's sale (now, or when the
        sale comes); resaleable ones go on hand again. A refund of money only names none."""
        lines = [(line.sku_id, line.quantity) for line in event.lines if line.quantity > 0]
        if lines:
            await service.record_refund(
                session, event.refund_id, event.order_id, lines, resaleable=event.restock
            )

    @consumes(FlashSessionScheduled)
    async def on_flash_session_scheduled(
        event: FlashSessionScheduled, session: AsyncSession
    ) -> None:
        items = [(item.sku_id, item.quantity) for item in event.items]
        await service.hold_for_session(session, event.session_id, items)

    @consumes(FlashSessionEnded)
    async def on_flash_session_ended(event: FlashSessionEnded, session: AsyncSession) -> None:
        await service.end_session(session, event.session_id)

    @consumes(FlashReserved)
    async def on_flash_reserved(event: FlashReserved, session: AsyncSession) -> None:
        await service.record_flash_reservation(
            session, event.reservation_id, event.session_id, event.sku_id, event.quantity
        )

    return [
        on_order_placed,
        on_order_paid,
        on_order_cancelled,
        on_refund_completed,
        on_flash_session_scheduled,
        on_flash_session_ended,
        on_flash_reserved,
    ]
