"""Catalog events that keep the price read model."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import ProductCreated
from services.orders.prices.models import KnownProduct


@consumes(ProductCreated)
async def on_product_created(event: ProductCreated, session: AsyncSession) -> None:
    """Learn what can be ordered and at what price (a product is its own SKU for now)."""
    known = KnownProduct(product_id=event.product_id, name=event.name, price=event.price)
    await session.merge(known)
