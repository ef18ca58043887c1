"""Request and response bodies of the insight routes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from chassis.http.fields import Trimmed
from chassis.money import Money
from contracts.catalog import CategoryRole


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

    note: Trimmed(500, min_length=0) | None = None


class FeaturedOut(BaseModel):
    sku_id: UUID
    featured: bool
    featured_by: UUID | None
    featured_at: datetime | None
    note: str | None


Reason = Trimmed(500)


class HealthFigures(BaseModel):
    skus: int = Field(description="SKUs of the subtree's products, any state")
    listed_skus: int = Field(description="Of them, on sale")
    listed_share: float | None
    sold_30d: int = Field(description="Units sold in 30 days, less those returned")
    velocity_per_day: float
    views_30d: int = Field(description="Storefront views of its products")
    orders_30d: int = Field(description="Orders placed with its SKUs (rejected ones left out)")
    conversion: float | None = Field(description="Orders per view; None under 100 views")
    available: int = Field(description="Units available of its SKUs on sale")
    cover_days: float | None = Field(description="Days the stock lasts at the month's pace")
    margin_bps: int | None = Field(description="Mean margin of its SKUs on sale with a cost")


class SuggestionOut(BaseModel):
    role: CategoryRole
    role_label: str
    reason: str = Field(description="The figures that led to it, against the rule's lines")


class CategoryHealthOut(BaseModel):
    category_id: UUID
    name: str
    role: CategoryRole
    role_label: str
    figures: HealthFigures
    suggestion: SuggestionOut | None = Field(description="None: the figures argue for no change")


class RoleDecisionIn(BaseModel):
    """Accept the report's suggestion, or override it with a reason (keeping the role, or
    giving `role`)."""

    model_config = ConfigDict(extra="forbid")

    accept: StrictBool
    role: CategoryRole | None = None
    reason: Reason | None = None


class RoleReviewOut(BaseModel):
    id: UUID
    category_id: UUID
    role_before: CategoryRole
    suggested: CategoryRole | None
    suggestion_reason: str | None
    role: CategoryRole = Field(description="The role decided")
    accepted: bool
    reason: str | None
    figures: HealthFigures
    decided_by: UUID
    decided_at: datetime
