"""Insight operations: the hot-item ranking from what the catalog records (sales confirmed by
the order saga, orders placed, prices and costs) and the signals it rolls up (product views,
ratings), and featuring SKUs with their event."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from contracts.catalog import FeaturedChanged
from services.catalog.categories.models import Category
from services.catalog.insights import rules
from services.catalog.insights.models import FeaturedSku, ProductViews, SkuRatings
from services.catalog.inventory.models import (
    LedgerEntry,
    LedgerReason,
    Reservation,
    ReservationLine,
    ReservationState,
    ReturnState,
    SkuReturn,
)
from services.catalog.pricing.rules import margin_bps
from services.catalog.products.listing import ListingState
from services.catalog.products.models import Product, Sku


async def hot_items(
    session: AsyncSession, *, limit: int, category: UUID | None = None
) -> list[tuple[rules.Scored, Sku, str, bool]]:
    """The best-scoring SKUs of listed products (in `category`'s subtree), each with its
    SKU, product name and whether it is featured."""
    at = now()
    since, recent = at - timedelta(days=rules.DAYS), at - timedelta(days=rules.RECENT_DAYS)
    sold = -LedgerEntry.delta
    statement = (
        select(
            LedgerEntry.sku_id,
            func.sum(sold),
            func.sum(case((LedgerEntry.created_at >= recent, sold), else_=0)),
        )
        .join(Sku, Sku.id == LedgerEntry.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(
            LedgerEntry.reason == LedgerReason.SALE,
            LedgerEntry.created_at >= since,
            Product.state == ListingState.LISTED,
            Sku.listed.is_(True),
        )
        .group_by(LedgerEntry.sku_id)
    )
    if category is not None:
        prefix = await session.scalar(select(Category.path).where(Category.id == category))
        if prefix is None:
            raise InvalidInput("query.category", f"no category {category}")
        statement = statement.where(
            Product.category_id.in_(select(Category.id).where(Category.path.startswith(prefix)))
        )
    sold = {
        sku_id: (int(month), int(week)) for sku_id, month, week in await session.execute(statement)
    }
    if not sold:
        return []
    # Sales net of the returns counted in the same windows: a SKU whose buyers send it back
    # is not a hit. One whose sales all came back is no candidate.
    returned = {
        sku_id: (int(month), int(week))
        for sku_id, month, week in await session.execute(
            select(
                SkuReturn.sku_id,
                func.sum(SkuReturn.counted),
                func.sum(case((SkuReturn.settled_at >= recent, SkuReturn.counted), else_=0)),
            )
            .where(
                SkuReturn.sku_id.in_(list(sold)),
                SkuReturn.state == ReturnState.SETTLED,
                SkuReturn.settled_at >= since,
            )
            .group_by(SkuReturn.sku_id)
        )
    }
    sales = {}
    for sku_id, (month, week) in sold.items():
        back_month, back_week = returned.get(sku_id, (0, 0))
        if month > back_month:
            sales[sku_id] = (month - back_month, max(week - back_week, 0))
    if not sales:
        return []
    ids = list(sales)
    orders = {
        sku_id: (int(ordered), int(paid))
        for sku_id, ordered, paid in await session.execute(
            select(
                ReservationLine.sku_id,
                func.sum(ReservationLine.quantity),
                func.sum(
                    case(
                        (Reservation.state == ReservationState.CONFIRMED, ReservationLine.quantity),
                        else_=0,
                    )
                ),
            )
            .join(Reservation, Reservation.order_id == ReservationLine.order_id)
            .where(
                ReservationLine.sku_id.in_(ids),
                Reservation.created_at >= since,
                Reservation.state != ReservationState.REJECTED,
            )
            .group_by(ReservationLine.sku_id)
        )
    }
    skus = {
        sku.id: (sku, name)
        for sku, name in await session.execute(
            select(Sku, Product.name)
            .join(Product, Product.id == Sku.product_id)
            .where(Sku.id.in_(ids))
        )
    }
    featured = set(
        await session.scalars(select(FeaturedSku.sku_id).where(FeaturedSku.sku_id.in_(ids)))
    )
    products = {sku.product_id for sku, _ in skus.values()}
    views = dict(
        (
            await session.execute(
                select(ProductViews.product_id, func.sum(ProductViews.views))
                .where(
                    ProductViews.product_id.in_(products),
                    ProductViews.day >= since.date(),
                )
                .group_by(ProductViews.product_id)
            )
        ).all()
    )
    ratings = {
        sku_id: (reviews, stars)
        for sku_id, reviews, stars in await session.execute(
            select(SkuRatings.sku_id, SkuRatings.reviews, SkuRatings.stars).where(
                SkuRatings.sku_id.in_(ids)
            )
        )
    }
    candidates = []
    for sku_id, (month, week) in sales.items():
        sku = skus[sku_id][0]
        ordered, paid = orders.get(sku_id, (0, 0))
        reviews, stars = ratings.get(sku_id, (0, 0))
        candidates.append(
            rules.Figures(
                sku_id=sku_id,
                sold_30d=month,
                sold_7d=week,
                ordered_30d=ordered,
                paid_30d=paid,
                margin_bps=None
                if sku.cost_amount is None
                else margin_bps(sku.price_amount, sku.cost_amount),
                views_30d=int(views.get(sku.product_id) or 0),
                reviews=reviews,
                stars=stars,
            )
        )
    return [
        (scored, *skus[scored.figures.sku_id], scored.figures.sku_id in featured)
        for scored in rules.rank(candidates)[:limit]
    ]


async def feature(session: AsyncSession, sku_id: UUID, by: UUID, note: str | None) -> FeaturedSku:
    """Feature a SKU; featuring it again changes nothing and publishes nothing (the SKU is
    the table's key, so of concurrent requests one inserts and the others find it)."""
    sku = await _sku(session, sku_id)
    existing = await session.get(FeaturedSku, sku_id)
    if existing is not None:
        return existing
    at = now()
    try:
        session.add(FeaturedSku(sku_id=sku_id, featured_by=by, featured_at=at, note=note))
        await session.flush()
        await outbox.add(
            session,
            FeaturedChanged(sku_id=sku_id, product_id=sku.product_id, featured=True, by=by, at=at),
        )
        await session.commit()
    except IntegrityError:  # another request featured it first: nothing of this one stays
        await session.rollback()
    found = await session.get(FeaturedSku, sku_id, populate_existing=True)
    assert found is not None
    return found


async def unfeature(session: AsyncSession, sku_id: UUID, by: UUID) -> None:
    """Stop featuring a SKU; a SKU not featured stays so, with no event."""
    sku = await _sku(session, sku_id)
    done = await session.execute(delete(FeaturedSku).where(FeaturedSku.sku_id == sku_id))
    if done.rowcount == 1:
        await outbox.add(
            session,
            FeaturedChanged(
                sku_id=sku_id, product_id=sku.product_id, featured=False, by=by, at=now()
            ),
        )
    await session.commit()


def featured_products():
    """Ids of products with a featured SKU: what browse's `featured` filter keeps."""
    return select(Sku.product_id).join(FeaturedSku, FeaturedSku.sku_id == Sku.id)


async def _sku(session: AsyncSession, sku_id: UUID) -> Sku:
    sku = await session.get(Sku, sku_id)
    if sku is None:
        raise NotFound(f"No SKU {sku_id}.")
    return sku
