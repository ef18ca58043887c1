"""Storefront routes: browse and search listed products, and suggestions as one types."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.catalog.inventory import service as inventory
from services.catalog.search import service
from services.catalog.search.schemas import BrowseQuery, ProductCard, Suggestions, browse_query

router = APIRouter(tags=["storefront"])

# Storefronts and CDNs may keep a list this long; a price or stock change shows within it.
CACHE_CONTROL = "public, max-age=30"


def cached(request: Request, body: bytes) -> Response:
    """The body with a strong ETag and a Cache-Control; 304 when the client has it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    wanted = request.headers.get("if-none-match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/products",
    summary="Browse and search listed products (public): filters, sort, cursor pages",
    response_model=Page[ProductCard],
    responses=responses(422),
)
async def browse(
    request: Request,
    session: SessionDep,
    page: PageDep,
    query: Annotated[BrowseQuery, Depends(browse_query)],
) -> Response:
    found = await service.browse(session, query, page)
    stock = await inventory.levels(session, [s.id for p in found.products for s in p.skus])
    cards = [
        ProductCard(
            id=p.id,
            name=p.name,
            brand=p.brand,
            category_id=p.category_id,
            price=p.price,
            image=p.media[0] if p.media else None,
            in_stock=any(stock[s.id].available > 0 for s in p.skus),
            listed_at=p.listed_at,
        )
        for p in found.products
    ]
    body = Page[ProductCard](items=cards, next_cursor=found.next_cursor)
    return cached(request, body.model_dump_json().encode())


@router.get(
    "/suggest",
    summary="Suggestions for what is typed: prefixes in characters, pinyin or initials",
    response_model=Suggestions,
    responses=responses(422),
)
async def suggest(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=50)],
) -> Response:
    body = Suggestions(items=await service.suggest(session, q))
    return cached(request, body.model_dump_json().encode())
