"""Catalog events that keep the price read model."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import ProductCreated
from services.campaigns.prices.models import SkuPrice


@consumes(ProductCreated)
async def on_product_created(event: ProductCreated, session: AsyncSession) -> None:
    """Keep the regular price that campaign prices are set against (none yet: nothing to keep)."""
    if event.price is not None:
        await session.merge(SkuPrice(product_id=event.product_id, price=event.price))
