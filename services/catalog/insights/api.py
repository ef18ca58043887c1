"""Insight routes (operators): hot-item candidates with their figures, featuring SKUs."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep, fetch_page
from services.catalog.categories.tree import ROLE_LABELS
from services.catalog.insights import service
from services.catalog.insights.models import CategoryRoleReview
from services.catalog.insights.schemas import (
    CategoryHealthOut,
    FeaturedOut,
    FeatureIn,
    HealthFigures,
    HotFigures,
    HotItem,
    RoleDecisionIn,
    RoleReviewOut,
    SuggestionOut,
)
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


@router.get(
    "/categories/{category_id}/health",
    summary="A category's health over 30 days (its subtree): SKUs, listed share, velocity, "
    "views-to-orders conversion, stock cover, margin, and the role they suggest",
    responses=responses(401, 403, 404, 422),
)
async def category_health(
    category_id: UUID, session: SessionDep, by: OperatorDep
) -> CategoryHealthOut:
    category, figures, suggestion = await service.category_health(session, category_id)
    return CategoryHealthOut(
        category_id=category.id,
        name=category.name,
        role=category.role,
        role_label=ROLE_LABELS[category.role],
        figures=HealthFigures(**service.figures_out(figures)),
        suggestion=None
        if suggestion is None
        else SuggestionOut(
            role=suggestion.role, role_label=ROLE_LABELS[suggestion.role], reason=suggestion.reason
        ),
    )


@router.post(
    "/categories/{category_id}/health/decisions",
    summary="Accept the health report's suggested role, or override it with a reason",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
async def decide_role(
    category_id: UUID, body: RoleDecisionIn, session: SessionDep, by: OperatorDep
) -> RoleReviewOut:
    review = await service.decide_role(
        session,
        category_id,
        accept=body.accept,
        role=body.role,
        reason=body.reason,
        by=by.user_id,
    )
    return RoleReviewOut.model_validate(review, from_attributes=True)


@router.get(
    "/categories/{category_id}/health/decisions",
    summary="The decisions taken on a category's health reports, newest first",
    responses=responses(401, 403, 422),
)
async def role_decisions(
    category_id: UUID, session: SessionDep, by: OperatorDep, page: PageDep
) -> Page[RoleReviewOut]:
    rows, next_cursor = await fetch_page(
        session,
        service.reviews_query(category_id),
        key=[CategoryRoleReview.decided_at, CategoryRoleReview.id],
        page=page,
    )
    return Page(
        items=[RoleReviewOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )
