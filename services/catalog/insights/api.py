"""Insight routes (operators): hot-item candidates with their figures, featuring SKUs."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.catalog.insights import service
from services.catalog.insights.schemas import FeaturedOut, FeatureIn, HotFigures, HotItem
from services.catalog.inventory import service as inventory

router = APIRouter(prefix="/insights", tags=["insights"])


@router.get(
    "/hot-items",
    summary="Hot-item (爆款) candidates: SKUs ranked by a score over sales velocity, momentum, "
    "conversion and margin, each with the figures behind it",
    responses=responses(401, 403, 422),
)
async def hot_items(
    session: SessionDep,
    by: OperatorDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    category: Annotated[UUID | None, Query(description="A category and its subtree")] = None,
) -> list[HotItem]:
    ranked = await service.hot_items(session, limit=limit, category=category)
    stock = await inventory.levels(session, [sku.id for _, sku, _, _ in ranked])
    return [
        HotItem(
            sku_id=sku.id,
            product_id=sku.product_id,
            code=sku.code,
            name=name,
            price=sku.price,
            available=stock[sku.id].available,
            featured=featured,
            score=scored.score,
            figures=HotFigures(
                sold_30d=scored.figures.sold_30d,
                sold_7d=scored.figures.sold_7d,
                velocity_per_day=round(scored.velocity, 4),
                momentum=round(scored.momentum, 4),
                ordered_30d=scored.figures.ordered_30d,
                paid_30d=scored.figures.paid_30d,
                conversion=round(scored.conversion, 4),
                margin_bps=scored.figures.margin_bps,
                views=scored.figures.views_30d,
                attention=round(scored.attention, 4),
                reviews=scored.figures.reviews,
                rating=None if scored.mean_stars is None else round(scored.mean_stars, 2),
                rating_score=round(scored.rating, 4),
            ),
        )
        for scored, sku, name, featured in ranked
    ]


@router.put(
    "/featured/{sku_id}",
    summary="Feature a SKU (storefront browse's `featured` filter); a repeat changes nothing",
    responses=responses(401, 403, 404, 422),
)
async def feature(
    sku_id: UUID, session: SessionDep, by: OperatorDep, body: FeatureIn | None = None
) -> FeaturedOut:
    found = await service.feature(session, sku_id, by.user_id, body.note if body else None)
    return FeaturedOut(
        sku_id=found.sku_id,
        featured=True,
        featured_by=found.featured_by,
        featured_at=found.featured_at,
        note=found.note,
    )


@router.delete(
    "/featured/{sku_id}",
    summary="Stop featuring a SKU; one not featured stays so",
    responses=responses(401, 403, 404, 422),
)
async def unfeature(sku_id: UUID, session: SessionDep, by: OperatorDep) -> FeaturedOut:
    await service.unfeature(session, sku_id, by.user_id)
    return FeaturedOut(sku_id=sku_id, featured=False, featured_by=None, featured_at=None, note=None)
