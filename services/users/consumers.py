"""Events the users service consumes."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPlaced
from services.users.models import OrderStats


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    """Keep each customer's order count and spend: the frequency and monetary of RFM."""
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
