"""Request and response shapes of browse, search and suggestions."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Trimmed
from chassis.http.problems import InvalidInput
from chassis.money import MAX_AMOUNT, Money


class Sort(StrEnum):
    RELEVANCE = "relevance"  # the default with `q`
    NEWEST = "newest"  # the default without
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    SALES = "sales"  # units ordered, less those returned (`units_sold`), most first


class BrowseQuery(BaseModel):
    q: str | None = None
    category: UUID | None = None
    brand: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    featured: bool = False
    sort: Sort | None = None


def browse_query(
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Words, Chinese or not")
    ] = None,
    category: Annotated[UUID | None, Query(description="A category and its subtree")] = None,
    brand: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    min_price: Annotated[
        int | None, Query(ge=0, le=MAX_AMOUNT, description="Minor units, inclusive")
    ] = None,
    max_price: Annotated[
        int | None, Query(ge=0, le=MAX_AMOUNT, description="Minor units, inclusive")
    ] = None,
    in_stock: Annotated[bool, Query(description="Only products with a SKU available")] = False,
    featured: Annotated[bool, Query(description="Only products with a featured SKU")] = False,
    sort: Annotated[
        Sort | None, Query(description="relevance with `q`, else newest, by default")
    ] = None,
) -> BrowseQuery:
    if min_price is not None and max_price is not None and min_price > max_price:
        raise InvalidInput("query.min_price", "is above max_price")
    return BrowseQuery(
        q=q,
        category=category,
        brand=brand,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
        featured=featured,
        sort=sort,
    )


class ProductCard(BaseModel):
    """A product as a storefront lists it; sold out ones show as such (`in_stock` false)."""

    id: UUID
    name: str
    brand: str | None
    category_id: UUID | None
    price: Money | None
    image: str | None
    in_stock: bool
    listed_at: datetime | None


class Suggestions(BaseModel):
    items: list[str]


SynonymText = Trimmed(40)


class SynonymsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: list[SynonymText] = Field(
        min_length=2, max_length=20, description="Terms a query may use for one another"
    )


class SynonymsOut(BaseModel):
    id: UUID
    terms: list[str] = Field(description="Normalized (simplified characters, lower case)")
    created_by: UUID
    created_at: datetime
