"""Storefront routes: browse and search listed products, and suggestions as one types; and the
synonyms operators give search."""

import hashlib
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep, fetch_page
from services.catalog.inventory import service as inventory
from services.catalog.search import service
from services.catalog.search.models import SynonymGroup
from services.catalog.search.schemas import (
    BrowseQuery,
    ProductCard,
    Suggestions,
    SynonymsIn,
    SynonymsOut,
    browse_query,
)

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


SYNONYMS = "/search/synonyms"


@router.post(
    SYNONYMS,
    status_code=status.HTTP_201_CREATED,
    summary="Add a group of synonyms (手机 = 移动电话): a query with one term finds products "
    "with any; a term already in another group is a 409",
    responses=responses(401, 403, 409, 422),
)
async def add_synonyms(body: SynonymsIn, session: SessionDep, by: OperatorDep) -> SynonymsOut:
    group, terms = await service.add_synonyms(session, body.terms, by.user_id)
    return SynonymsOut(
        id=group.id, terms=sorted(terms), created_by=group.created_by, created_at=group.created_at
    )


@router.get(
    SYNONYMS,
    summary="The synonym groups, newest first",
    responses=responses(401, 403, 422),
)
async def synonyms(session: SessionDep, page: PageDep, by: OperatorDep) -> Page[SynonymsOut]:
    groups, next_cursor = await fetch_page(
        session,
        service.synonym_groups(),
        key=[SynonymGroup.created_at, SynonymGroup.id],
        page=page,
    )
    terms = await service.terms_of(session, [g.id for g in groups])
    items = [
        SynonymsOut(id=g.id, terms=terms[g.id], created_by=g.created_by, created_at=g.created_at)
        for g in groups
    ]
    return Page(items=items, next_cursor=next_cursor)


@router.delete(
    SYNONYMS + "/{group_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a synonym group: its terms find only themselves again",
    responses=responses(401, 403, 404, 422),
)
async def remove_synonyms(group_id: UUID, session: SessionDep, by: OperatorDep) -> Response:
    await service.remove_synonyms(session, group_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
