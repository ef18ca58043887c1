"""Fulfilment's operations: ship a paid order, confirm its receipt (by the customer or
automatically), complete it when the return window closes."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.http.problems import Conflict, NotFound
from contracts.orders import OrderCompleted, OrderDelivered, OrderShipped
from services.orders.aftersales import service as aftersales
from services.orders.checkout import service as orders
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.checkout.models import Order
from services.orders.deals import service as deals
from services.orders.deals.rules import GroupStatus
from services.orders.fulfilment.models import Shipment
from services.orders.fulfilment.schemas import ShipmentRequest

SWEEP_BATCH = 100


async def ship(
    session: AsyncSession, order_id: UUID, request: ShipmentRequest, by: UUID
) -> Shipment:
    """The paid order leaves the warehouse whole (409 from any other state, and for a group
    buy's order until its group completed)."""
    order = await orders.locked(session, order_id)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    if order.group_id is not None:
        group = await deals.group_of(session, order.group_id)
        if group is None or group.status != GroupStatus.COMPLETED:
            raise Conflict(f"Order {order_id} waits for its group buy to fill before it ships.")
    shipment = Shipment(
        order_id=order.id,
        carrier=request.carrier,
        tracking_number=request.tracking_number,
        shipped_by=by,
    )
    cause = f"shipped by {request.carrier}, tracking {request.tracking_number}"
    if not await orders.advance(session, order, OrderStatus.SHIPPED, cause, shipped_at=now()):
        raise orders.ChangedMeanwhile(order_id)
    session.add(shipment)
    await session.flush()
    await outbox.add(
        session,
        OrderShipped(
            order_id=order.id,
            customer_id=order.customer_id,
            shipment_id=shipment.id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            sku_ids=[line.product_id for line in order.lines],
            shipped_at=shipment.shipped_at,
        ),
    )
    return shipment


async def deliver(session: AsyncSession, order: Order, *, automatic: bool) -> bool:
    cause = "receipt confirmed automatically" if automatic else "receipt confirmed by the customer"
    delivered_at = now()
    if not await orders.advance(
        session, order, OrderStatus.DELIVERED, cause, delivered_at=delivered_at
    ):
        return False
    await outbox.add(
        session,
        OrderDelivered(
            order_id=order.id,
            customer_id=order.customer_id,
            automatic=automatic,
            delivered_at=delivered_at,
        ),
    )
    return True


async def confirm_receipt(session: AsyncSession, order_id: UUID, customer_id: UUID) -> Order:
    """确认收货: the customer says the parcel arrived (409 unless the order was shipped)."""
    order = await orders.own_order(session, order_id, customer_id, lock=True)
    if not await deliver(session, order, automatic=False):
        raise orders.ChangedMeanwhile(order_id)
    return order


async def deliver_overdue(db: Database, after: timedelta) -> int:
    """Confirm receipt of orders shipped longer than `after` ago; returns how many moved."""
    async with db.session() as session, session.begin():
        due = (
            select(Order)
            .where(Order.status == OrderStatus.SHIPPED, Order.shipped_at <= now() - after)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        moved = [
            await deliver(session, order, automatic=True) for order in await session.scalars(due)
        ]
    return sum(moved)


async def complete_due(db: Database, return_window: timedelta) -> int:
    """Complete the orders whose return window (from delivery) has closed and that wait for
    no after-sales request; how many moved."""
    async with db.session() as session, session.begin():
        due = (
            select(Order)
            .where(
                Order.status == OrderStatus.DELIVERED,
                Order.delivered_at <= now() - return_window,
                ~aftersales.has_open_request(),
            )
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        moved = 0
        for order in list(await session.scalars(due)):
            completed_at = now()
            if await orders.advance(
                session, order, OrderStatus.COMPLETED, "the return window closed"
            ):
                moved += 1
                await outbox.add(
                    session,
                    OrderCompleted(
                        order_id=order.id,
                        customer_id=order.customer_id,
                        total=order.total,
                        completed_at=completed_at,
                    ),
                )
    return moved
