"""Operations on metrics: counting a placed order, reading a customer's summary."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.orders import OrderPlaced
from services.users.metrics.models import OrderStats
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
