"""Feed routes: anyone gets a feed (a signed-in reader a personal one)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request

from chassis.auth.deps import OperatorDep, OptionalPrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import PageRequest, page_parameters
from services.content.feeds import service
from services.content.feeds.ranking import Ranked
from services.content.feeds.recommender import RecommenderDep, Training
from services.content.feeds.schemas import (
    FeedItem,
    FeedPage,
    LinkedCampaignOut,
    LiveFeed,
    ReasonOut,
    RecommenderOut,
)
from services.content.feeds.shelf import Shelf
from services.content.posts.models import LabelKind
from services.content.posts.schemas import PostOut

router = APIRouter(prefix="/feeds", tags=["feeds"])
recommender = APIRouter(prefix="/recommender", tags=["feeds"])
FEED_CURSOR_LENGTH = 2048  # a feed's cursor names the posts served so far (service.py)


async def _shelf(request: Request) -> Shelf:  # async: a plain def runs in the thread pool
    return request.app.state.shelf


PageDep = Annotated[PageRequest, Depends(page_parameters(FEED_CURSOR_LENGTH))]
ShelfDep = Annotated[Shelf, Depends(_shelf)]


def _page(rows: list[tuple[PostOut, Ranked]], next_cursor: str | None) -> FeedPage:
    return FeedPage(
        items=[
            FeedItem(
                post=post,
                reason=ReasonOut(
                    code=ranked.reason.code,
                    label=ranked.reason.label,
                    post_id=ranked.reason.post_id,
                ),
                score=round(ranked.score, 4),
            )
            for post, ranked in rows
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/home",
    summary="The home feed: personal with a token (the recommender's picks, interests, seen "
    "posts left out), popular and fresh without",
    responses=responses(401, 422),
)
async def home(
    session: SessionDep,
    shelf: ShelfDep,
    page: PageDep,
    reader: OptionalPrincipalDep,
    model: RecommenderDep,
) -> FeedPage:
    return _page(*await service.home(session, shelf, reader, page, model))


@router.get(
    "/topics/{topic}",
    summary="A topic's feed",
    responses=responses(401, 422),
)
async def topic(
    topic: Annotated[str, Path(max_length=32)],
    session: SessionDep,
    shelf: ShelfDep,
    page: PageDep,
    reader: OptionalPrincipalDep,
) -> FeedPage:
    return _page(*await service.topic(session, shelf, topic, reader, page))


@router.get(
    "/products/{product_id}",
    summary="The content on a product page: posts linking the product",
    responses=responses(422),
)
async def product(
    product_id: UUID, session: SessionDep, shelf: ShelfDep, page: PageDep
) -> FeedPage:
    return _page(*await service.product(session, shelf, LabelKind.PRODUCT, product_id, page))


@router.get(
    "/skus/{sku_id}",
    summary="The content on a SKU's page: posts linking the SKU",
    responses=responses(422),
)
async def sku(sku_id: UUID, session: SessionDep, shelf: ShelfDep, page: PageDep) -> FeedPage:
    return _page(*await service.product(session, shelf, LabelKind.SKU, sku_id, page))


@router.get(
    "/live",
    summary="Live sessions on air now and upcoming, with the live-commerce campaigns they link",
)
async def live(session: SessionDep) -> LiveFeed:
    on_air, upcoming, campaigns = await service.live(session)
    return LiveFeed(
        live_now=[PostOut.model_validate(p) for p in on_air],
        upcoming=[PostOut.model_validate(p) for p in upcoming],
        campaigns=[LinkedCampaignOut.model_validate(c) for c in campaigns],
    )


def _training(last: Training | None) -> RecommenderOut:
    return RecommenderOut(trained=True, **vars(last)) if last else RecommenderOut(trained=False)


@recommender.get(
    "",
    summary="The recommender version this replica serves: what it learned from, and when",
    responses=responses(401, 403),
)
async def recommender_state(model: RecommenderDep, _: OperatorDep) -> RecommenderOut:
    return _training(model.last)


@recommender.post(
    "/retrain",
    summary="Train a new recommender version now and serve it (every replica loads it "
    "within CONTENT_RECOMMENDER_FOLLOW_SECONDS; one replica also trains each scheduled period)",
    responses=responses(401, 403),
)
async def retrain(request: Request, model: RecommenderDep, _: OperatorDep) -> RecommenderOut:
    return _training(await model.retrain(request.app.state.db))
