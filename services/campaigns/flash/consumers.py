"""Catalog's answers to a flash session's scheduling (its stock held or refused, and what
was returned at its end), and its SKUs delisted or relisted during a session, by themselves
or with their product (whose SKUs the product events give)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import (
    FlashStockHeld,
    FlashStockRefused,
    FlashStockReturned,
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
    SkuListingChanged,
)
from services.campaigns.flash import holds, listing


@consumes(FlashStockHeld)
async def on_stock_held(event: FlashStockHeld, session: AsyncSession) -> None:
    await holds.held(session, event)


@consumes(FlashStockRefused)
async def on_stock_refused(event: FlashStockRefused, session: AsyncSession) -> None:
    await holds.refused(session, event)


@consumes(FlashStockReturned)
async def on_stock_returned(event: FlashStockReturned, session: AsyncSession) -> None:
    await holds.returned(session, event)


@consumes(SkuListingChanged)
async def on_sku_listing_changed(event: SkuListingChanged, session: AsyncSession) -> None:
    await listing.listing_changed(session, event)


@consumes(ProductCreated, ProductUpdated)
async def on_product_skus(event: ProductCreated | ProductUpdated, session: AsyncSession) -> None:
    await listing.skus_changed(session, event)


@consumes(ProductListed)
async def on_product_listed(event: ProductListed, session: AsyncSession) -> None:
    await listing.product_listed(session, event)


@consumes(ProductDelisted)
async def on_product_delisted(event: ProductDelisted, session: AsyncSession) -> None:
    await listing.product_delisted(session, event)
