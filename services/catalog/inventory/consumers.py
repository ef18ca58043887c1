"""Events the catalog consumes."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPlaced
from services.catalog.products.models import Product


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    """Count units sold per product: the first signal of a hot item."""
    for line in event.lines:
        await session.execute(
            update(Product)
            .where(Product.id == line.sku_id)
            .values(units_sold=Product.units_sold + line.quantity)
        )
