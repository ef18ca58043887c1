"""Review routes: customers review SKUs and manage their own reviews; anyone reads them."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.content.reviews import service
from services.content.reviews.models import Review
from services.content.reviews.schemas import (
    OwnReviewOut,
    RatingSummary,
    ReviewEdit,
    ReviewIn,
    ReviewOut,
)

router = APIRouter(prefix="/reviews", tags=["reviews"])


def _own(review: Review, verified: bool) -> OwnReviewOut:
    return OwnReviewOut.model_validate({**_fields(review), "verified": verified})


def _public(review: Review, verified: bool) -> ReviewOut:
    return ReviewOut.model_validate({**_fields(review), "verified": verified})


def _fields(review: Review) -> dict:
    return {name: getattr(review, name) for name in OwnReviewOut.model_fields if name != "verified"}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Review a SKU (once; verified when the author has paid for it)",
    responses=responses(401, 409, 422),
)
async def post_review(body: ReviewIn, session: SessionDep, by: PrincipalDep) -> OwnReviewOut:
    return _own(*await service.post(session, body, by))


@router.put(
    "/{review_id}",
    summary="Edit one's own review",
    responses=responses(401, 404, 422),
)
async def edit_review(
    review_id: UUID, body: ReviewEdit, session: SessionDep, by: PrincipalDep
) -> OwnReviewOut:
    return _own(*await service.edit(session, review_id, body, by))


@router.delete(
    "/{review_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one's own review",
    responses=responses(401, 404, 422),
)
async def delete_review(review_id: UUID, session: SessionDep, by: PrincipalDep) -> None:
    await service.remove(session, review_id, by)


@router.get(
    "",
    summary="A SKU's reviews, newest first, verified purchases marked (and never the others)",
    responses=responses(422),
)
async def list_reviews(
    sku_id: UUID, session: SessionDep, page: PageDep, verified: bool = False
) -> Page[ReviewOut]:
    rows, next_cursor = await service.of_sku(session, sku_id, page, verified_only=verified)
    return Page(items=[_public(r, v) for r, v in rows], next_cursor=next_cursor)


@router.get(
    "/summary/{sku_id}",
    summary="A SKU's rating summary: all reviews, and the verified purchases apart",
    responses=responses(422),
)
async def rating_summary(sku_id: UUID, session: SessionDep) -> RatingSummary:
    figures = await service.summary(session, sku_id)
    return RatingSummary(sku_id=sku_id, **vars(figures))
