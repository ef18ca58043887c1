"""Reading the local copy of catalog prices (the seam checkout prices through)."""

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.money import Money
from services.orders.prices.models import KnownProduct


async def price_list(session: AsyncSession, sku_ids: Iterable[UUID]) -> dict[UUID, Money | None]:
    """The list price of each SKU the catalog told us about (None while it has none); an
    unknown SKU is absent."""
    known = await session.scalars(
        select(KnownProduct).where(KnownProduct.product_id.in_(set(sku_ids)))
    )
    return {product.product_id: product.price for product in known}
