"""Catalog's listing during flash sessions: a SKU delisted by itself, or its product delisted
as a whole, stops the SKU's items in the sessions still selling (pending or held), so they
take no reservation while the session's other items sell on; relisted, they sell again.
Reservations taken before stay (the catalog refuses to reserve a delisted SKU for their
orders).

`product.delisted` names no SKU: the product's SKUs come from a map kept from catalog's
product created, updated and listed events (`ProductSku`), which share the product's key
with the delisting, so the map is as of the delisting. A product delisted is remembered
(`DelistedProduct`) until it is listed again, so one of its SKUs relisted by itself
meanwhile is not resumed; listed again, the product resumes only the SKUs its event says
are on sale (not one delisted by itself).

Each move is a guarded UPDATE naming the value it leaves (`stopped_at IS NULL` to stop, `IS
NOT NULL` to resume), and the consumer's inbox takes a redelivered event once; catalog's
changes of one SKU share its key, so they come in order."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_if_absent
from contracts.catalog import (
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
    SkuListingChanged,
)
from services.campaigns.flash.lifecycle import SessionState
from services.campaigns.flash.models import DelistedProduct, FlashItem, FlashSession, ProductSku

SELLING = (SessionState.PENDING, SessionState.HELD)


async def listing_changed(session: AsyncSession, event: SkuListingChanged) -> int:
    """Stop (delisted) or resume (relisted) the SKU's items in sessions still selling; how
    many moved. A SKU relisted while its product is delisted stays stopped."""
    if not event.listed:
        return await _stop(session, [event.sku_id], event.at)
    if await session.get(DelistedProduct, event.product_id) is not None:
        return 0
    return await _resume(session, [event.sku_id])


async def skus_changed(session: AsyncSession, event: ProductCreated | ProductUpdated) -> None:
    """Keep the product's SKUs as the event has them (one absent no longer exists)."""
    await _keep(session, event.product_id, {sku.sku_id for sku in event.skus})


async def product_delisted(session: AsyncSession, event: ProductDelisted) -> int:
    """Stop the items of the product's SKUs in sessions still selling; how many moved."""
    await insert_if_absent(
        session,
        DelistedProduct.__table__,
        product_id=event.product_id,
        delisted_at=event.delisted_at,
    )
    skus = select(ProductSku.sku_id).where(ProductSku.product_id == event.product_id)
    return await _stop(session, skus, event.delisted_at)


async def product_listed(session: AsyncSession, event: ProductListed) -> int:
    """Keep the product's SKUs, and resume the items of those on sale in sessions still
    selling; how many moved."""
    await _keep(session, event.product_id, {sku.sku_id for sku in event.skus})
    await session.execute(
        delete(DelistedProduct).where(DelistedProduct.product_id == event.product_id)
    )
    return await _resume(session, [sku.sku_id for sku in event.skus if sku.listed])


async def _keep(session: AsyncSession, product_id: UUID, sku_ids: set[UUID]) -> None:
    await session.execute(
        delete(ProductSku).where(
            ProductSku.product_id == product_id, ProductSku.sku_id.not_in(sku_ids)
        )
    )
    for sku_id in sorted(sku_ids):
        await insert_if_absent(session, ProductSku.__table__, product_id=product_id, sku_id=sku_id)


async def _stop(session: AsyncSession, skus: list[UUID] | Select, at: datetime) -> int:
    return await _move(session, skus, FlashItem.stopped_at.is_(None), at)


async def _resume(session: AsyncSession, skus: list[UUID]) -> int:
    return await _move(session, skus, FlashItem.stopped_at.is_not(None), None)


async def _move(
    session: AsyncSession, skus: list[UUID] | Select, leaves, stopped_at: datetime | None
) -> int:
    """Set `stopped_at` on the items of `skus` (ids, or a query of them) in sessions still
    selling whose `stopped_at` is as `leaves` says."""
    if isinstance(skus, list) and not skus:
        return 0
    selling = select(FlashSession.id).where(FlashSession.state.in_(SELLING))
    moved = await session.execute(
        update(FlashItem)
        .where(FlashItem.sku_id.in_(skus), FlashItem.session_id.in_(selling), leaves)
        .values(stopped_at=stopped_at)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount
