"""Operations on metrics: counting placed and paid orders, refunds and activity; reading a
customer's summary and the facts lifecycle, RFM and tiers are decided from."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_for
from contracts.orders import OrderPaid, OrderPlaced, RefundCompleted
from services.users.metrics.models import CountedRefund, OrderStats, PaidOrder, UserActivity
from services.users.metrics.schemas import OrderSummary


async def count_order(session: AsyncSession, event: OrderPlaced) -> None:
    """Add a placed order to its customer's count and spend, in the handler's transaction."""
    stats = await session.get(OrderStats, event.customer_id, with_for_update=True)
    if stats is None:
        stats = OrderStats(
            user_id=event.customer_id,
            order_count=0,
            total_spent=0,
            currency=event.total.currency,
            last_order_at=event.placed_at,
        )
        session.add(stats)
    stats.order_count += 1
    stats.total_spent += event.total.amount
    stats.last_order_at = max(stats.last_order_at, event.placed_at)


async def order_summary(session: AsyncSession, user_id: UUID) -> OrderSummary | None:
    stats = await session.get(OrderStats, user_id)
    if stats is None:
        return None
    return OrderSummary(
        order_count=stats.order_count,
        total_spent={"amount": stats.total_spent, "currency": stats.currency},
        last_order_at=stats.last_order_at,
    )


async def _claim(session: AsyncSession, model, **values) -> bool:
    """Insert the record of a counted thing unless it exists: True for the first delivery."""
    table = model.__table__
    key = next(iter(table.primary_key.columns))
    statement = insert_for(session, table).values(**values).on_conflict_do_nothing()
    return await session.scalar(statement.returning(key)) is not None


async def _activity(session: AsyncSession, user_id: UUID, at: datetime) -> UserActivity:
    """The user's activity row, created if missing, locked for this transaction."""
    await session.execute(
        insert_for(session, UserActivity.__table__)
        .values(user_id=user_id, paid_orders=0, net_spend=0, last_active_at=at)
        .on_conflict_do_nothing()
    )
    return await session.get(UserActivity, user_id, with_for_update=True, populate_existing=True)


async def touch(session: AsyncSession, user_id: UUID, at: datetime) -> None:
    """Record activity at `at` (a client clock ahead of ours counts as now)."""
    at = min(at, now())
    activity = await _activity(session, user_id, at)
    activity.last_active_at = max(activity.last_active_at, at)


async def count_paid(session: AsyncSession, event: OrderPaid) -> bool:
    """Count a paid order once: True if this delivery counted it."""
    paid = event.total.amount
    if not await _claim(
        session,
        PaidOrder,
        order_id=event.order_id,
        user_id=event.customer_id,
        amount=paid,
        refunded=0,
        currency=event.total.currency,
        paid_at=event.paid_at,
    ):
        return False
    activity = await _activity(session, event.customer_id, event.paid_at)
    activity.paid_orders += 1
    activity.net_spend += paid
    at = event.paid_at
    activity.first_paid_at = min(activity.first_paid_at or at, at)
    activity.last_paid_at = max(activity.last_paid_at or at, at)
    activity.last_active_at = max(activity.last_active_at, min(at, now()))
    return True


async def count_refund(session: AsyncSession, event: RefundCompleted) -> bool:
    """Take a refund off its order's spend once, never below zero: True if this delivery
    took it. A refund of an order never counted as paid changes nothing."""
    order = await session.get(PaidOrder, event.order_id, with_for_update=True)
    if order is None:
        return False
    taken = min(event.amount.amount, order.amount - order.refunded)
    if not await _claim(
        session, CountedRefund, refund_id=event.refund_id, order_id=order.order_id, amount=taken
    ):
        return False
    order.refunded += taken
    activity = await session.get(UserActivity, order.user_id, with_for_update=True)
    activity.net_spend -= taken
    return True


async def facts(session: AsyncSession, user_id: UUID) -> UserActivity | None:
    return await session.get(UserActivity, user_id)


async def spend_since(session: AsyncSession, user_id: UUID, since: datetime) -> int:
    """Net spend of the orders paid at or after `since`."""
    return await session.scalar(
        select(func.coalesce(func.sum(PaidOrder.amount - PaidOrder.refunded), 0)).where(
            PaidOrder.user_id == user_id, PaidOrder.paid_at >= since
        )
    )
