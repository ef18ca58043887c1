"""The catalog read model's operations: apply catalog's product events (newest state wins,
whatever order they arrive in), and read what each SKU offers now (the seam carts and
checkout price through)."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chassis.clock import now
from chassis.db import insert_for
from chassis.money import Money
from contracts.catalog import SkuPrice
from services.orders.prices.models import CatalogProduct, CatalogSku, SkuPricePoint
from services.orders.prices.offers import Offer, PricePoint, in_force


async def describe(
    session: AsyncSession,
    product_id: UUID,
    *,
    name: str,
    state: str,
    skus: Sequence[SkuPrice],
    at: datetime,
) -> None:
    """A product created or updated at `at`: its name, state, and every SKU with its price
    (a known SKU absent from `skus` no longer exists)."""
    table = CatalogProduct.__table__
    insert = insert_for(session, table).values(product_id=product_id, name=name, details_at=at)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.product_id],
            set_={"name": insert.excluded.name, "details_at": insert.excluded.details_at},
            where=or_(
                table.c.details_at.is_(None), table.c.details_at <= insert.excluded.details_at
            ),
        )
    )
    await set_state(session, product_id, state, at)
    await offer_skus(session, product_id, skus, at)
    await session.execute(
        update(CatalogSku)
        .where(
            CatalogSku.product_id == product_id,
            CatalogSku.sku_id.not_in([sku.sku_id for sku in skus]),
            CatalogSku.seen_at < at,
        )
        .values(present=False, seen_at=at)
    )


async def set_state(session: AsyncSession, product_id: UUID, state: str, at: datetime) -> None:
    """The product's listing state from `at` on, unless a newer event set it already."""
    table = CatalogProduct.__table__
    insert = insert_for(session, table).values(product_id=product_id, state=state, state_at=at)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.product_id],
            set_={"state": insert.excluded.state, "state_at": insert.excluded.state_at},
            where=or_(table.c.state_at.is_(None), table.c.state_at <= insert.excluded.state_at),
        )
    )


async def offer_skus(
    session: AsyncSession, product_id: UUID, skus: Sequence[SkuPrice], at: datetime
) -> None:
    """These SKUs belong to the product as of `at`, each at its price from `at` on."""
    if not skus:
        return
    table = CatalogSku.__table__
    rows = [
        {
            "sku_id": s.sku_id,
            "product_id": product_id,
            "code": s.code,
            "weight_grams": s.weight_grams,
            "present": True,
            "seen_at": at,
        }
        for s in skus
    ]
    insert = insert_for(session, table).values(rows)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.sku_id],
            set_={
                column: insert.excluded[column]
                for column in ("product_id", "code", "weight_grams", "present", "seen_at")
            },
            where=table.c.seen_at <= insert.excluded.seen_at,
        )
    )
    await price_from(session, [(s.sku_id, s.price) for s in skus], at)


async def price_from(
    session: AsyncSession, prices: Sequence[tuple[UUID, Money]], at: datetime
) -> None:
    """Each (sku, price) applies from `at` on; a point at that time already kept stands.
    Points superseded by the one in force now are pruned."""
    table = SkuPricePoint.__table__
    rows = [
        {"sku_id": sku_id, "effective_at": at, "amount": p.amount, "currency": p.currency}
        for sku_id, p in prices
    ]
    await session.execute(
        insert_for(session, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=list(table.primary_key))
    )
    later = aliased(SkuPricePoint)
    in_force_since = (
        select(func.max(later.effective_at))
        .where(later.sku_id == SkuPricePoint.sku_id, later.effective_at <= now())
        .scalar_subquery()
    )
    await session.execute(
        delete(SkuPricePoint).where(
            SkuPricePoint.sku_id.in_([sku_id for sku_id, _ in prices]),
            SkuPricePoint.effective_at < in_force_since,
        )
    )


async def offers(session: AsyncSession, sku_ids: Iterable[UUID]) -> dict[UUID, Offer]:
    """What each SKU the catalog told us about offers now; an unknown SKU is absent."""
    wanted = set(sku_ids)
    known = await session.execute(
        select(CatalogSku, CatalogProduct.state)
        .outerjoin(CatalogProduct, CatalogProduct.product_id == CatalogSku.product_id)
        .where(CatalogSku.sku_id.in_(wanted))
    )
    points: dict[UUID, list[PricePoint]] = {}
    for point in await session.scalars(
        select(SkuPricePoint).where(SkuPricePoint.sku_id.in_(wanted))
    ):
        points.setdefault(point.sku_id, []).append(PricePoint(point.effective_at, point.price))
    at = now()
    return {
        sku.sku_id: Offer(
            sku_id=sku.sku_id,
            product_id=sku.product_id,
            present=sku.present,
            listing=state,
            price=in_force(points.get(sku.sku_id, ()), at),
            weight_grams=sku.weight_grams,
        )
        for sku, state in known
    }
