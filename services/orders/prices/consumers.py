"""Catalog's product events that keep the read model of SKUs, prices and listing state."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import (
    PriceChanged,
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
)
from services.orders.prices import service
from services.orders.prices.offers import DELISTED, LISTED


@consumes(ProductCreated, ProductUpdated)
async def on_product_described(event: ProductCreated | ProductUpdated, session: AsyncSession):
    at = event.created_at if isinstance(event, ProductCreated) else event.updated_at
    await service.describe(
        session, event.product_id, name=event.name, state=event.state, skus=event.skus, at=at
    )


@consumes(PriceChanged)
async def on_price_changed(event: PriceChanged, session: AsyncSession) -> None:
    """The new price applies from its effective time (later, if it was announced ahead)."""
    await service.price_from(session, [(event.sku_id, event.new_price)], event.effective_at)


@consumes(ProductListed)
async def on_product_listed(event: ProductListed, session: AsyncSession) -> None:
    await service.set_state(session, event.product_id, LISTED, event.listed_at)
    await service.offer_skus(session, event.product_id, event.skus, event.listed_at)


@consumes(ProductDelisted)
async def on_product_delisted(event: ProductDelisted, session: AsyncSession) -> None:
    await service.set_state(session, event.product_id, DELISTED, event.delisted_at)


HANDLERS = [on_product_described, on_price_changed, on_product_listed, on_product_delisted]
