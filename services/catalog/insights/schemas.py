"""Request and response bodies of the insight routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chassis.money import Money


class HotFigures(BaseModel):
    sold_30d: int = Field(description="Units of paid orders in the last 30 days")
    sold_7d: int
    velocity_per_day: float
    momentum: float = Field(description="7-day pace over the 30-day pace, halved, at most 1")
    ordered_30d: int = Field(description="Units of orders placed and reserved")
    paid_30d: int
    conversion: float = Field(description="(paid + 1) / (ordered + 2)")
    margin_bps: int | None
    views: int = Field(description="Storefront views of its product in the last 30 days")
    attention: float = Field(description="Views as a share of the most viewed candidate's")
    reviews: int
    rating: float | None = Field(description="Mean stars of its reviews (None: no review)")
    rating_score: float = Field(description="The mean shrunk towards 3 stars, on 0..1")


class HotItem(BaseModel):
    sku_id: UUID
    product_id: UUID
    code: str
    name: str
    price: Money
    available: int
    featured: bool
    score: float
    figures: HotFigures


class FeatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class FeaturedOut(BaseModel):
    sku_id: UUID
    featured: bool
    featured_by: UUID | None
    featured_at: datetime | None
    note: str | None
