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
from chassis.http.problems import Conflict, InvalidInput, NotFound
from contracts.catalog import CategoryRole, FeaturedChanged
from services.catalog.categories import service as categories
from services.catalog.categories.models import Category
from services.catalog.insights import health, rules
from services.catalog.insights.models import (
    CategoryRoleReview,
    FeaturedSku,
    ProductViews,
    SkuRatings,
)
from services.catalog.inventory import service as inventory
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


# --- category health -------------------------------------------------------------------------


async def category_health(
    session: AsyncSession, category_id: UUID
) -> tuple[Category, health.Figures, health.Suggestion | None]:
    """The figures of a category's subtree over 30 days and the role they suggest."""
    category = await session.get(Category, category_id)
    if category is None:
        raise NotFound(f"No category {category_id}.")
    since = now() - timedelta(days=health.DAYS)
    products = select(Product.id).where(
        Product.category_id.in_(select(Category.id).where(Category.path.startswith(category.path)))
    )
    skus = (
        await session.execute(
            select(Sku.id, Sku.listed, Product.state, Sku.price_amount, Sku.cost_amount)
            .join(Product, Product.id == Sku.product_id)
            .where(Product.id.in_(products))
        )
    ).all()
    ids = [s.id for s in skus]
    on_sale = [s for s in skus if s.listed and s.state == ListingState.LISTED]
    sold = await inventory.sold_since(session, ids, since) if ids else {}
    stock = await inventory.levels(session, [s.id for s in on_sale])
    views = await session.scalar(
        select(func.coalesce(func.sum(ProductViews.views), 0)).where(
            ProductViews.product_id.in_(products), ProductViews.day >= since.date()
        )
    )
    orders = await session.scalar(
        select(func.count(func.distinct(Reservation.order_id)))
        .join(ReservationLine, ReservationLine.order_id == Reservation.order_id)
        .where(
            ReservationLine.sku_id.in_(ids),
            Reservation.created_at >= since,
            Reservation.state != ReservationState.REJECTED,
        )
    )
    margins = [
        m
        for s in on_sale
        if s.cost_amount is not None
        and (m := margin_bps(s.price_amount, s.cost_amount)) is not None
    ]
    figures = health.Figures(
        skus=len(skus),
        listed_skus=len(on_sale),
        sold_30d=sum(sold.values()),
        views_30d=int(views or 0),
        orders_30d=int(orders or 0),
        available=sum(stock[s.id].available for s in on_sale),
        margin_bps=sum(margins) // len(margins) if margins else None,
    )
    return category, figures, health.suggest(category.role, figures)


async def decide_role(
    session: AsyncSession,
    category_id: UUID,
    *,
    accept: bool,
    role: CategoryRole | None,
    reason: str | None,
    by: UUID,
) -> CategoryRoleReview:
    """An operator's decision on the health report as it reads now: accept its suggestion
    (the category takes the suggested role), or override it with a reason (keeping the role,
    or giving another). The role changes only from the one the report was read with."""
    category, figures, suggestion = await category_health(session, category_id)
    before = category.role
    if accept:
        if role is not None:
            raise InvalidInput("body.role", "accepting takes the suggested role: give none")
        if suggestion is None:
            raise Conflict(f"The report suggests no change of {before}: nothing to accept.")
        decided = suggestion.role
    else:
        if not reason:
            raise InvalidInput("body.reason", "an override needs the reason")
        decided = role or before
    if decided != before:
        await categories.set_role(session, category_id, before, decided)
    review = CategoryRoleReview(
        category_id=category_id,
        role_before=before,
        suggested=suggestion.role if suggestion else None,
        suggestion_reason=suggestion.reason if suggestion else None,
        role=decided,
        accepted=accept,
        reason=reason,
        figures=figures_out(figures),
        decided_by=by,
        decided_at=now(),
    )
    session.add(review)
    await session.commit()
    return review


def figures_out(f: health.Figures) -> dict:
    """The figures as the report shows them (and a review keeps them)."""

    def rounded(x, places=4):
        return None if x is None else round(float(x), places)

    return {
        "skus": f.skus,
        "listed_skus": f.listed_skus,
        "listed_share": rounded(f.listed_share),
        "sold_30d": f.sold_30d,
        "velocity_per_day": rounded(f.velocity),
        "views_30d": f.views_30d,
        "orders_30d": f.orders_30d,
        "conversion": rounded(f.conversion),
        "available": f.available,
        "cover_days": rounded(f.cover_days, 1),
        "margin_bps": f.margin_bps,
    }


def reviews_query(category_id: UUID):
    return select(CategoryRoleReview).where(CategoryRoleReview.category_id == category_id)
