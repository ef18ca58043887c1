"""Request and response bodies of the pricing routes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Timestamp, Trimmed
from chassis.money import Money, Price
from services.catalog.pricing.models import PriceSource
from services.catalog.pricing.rules import ScheduleState

Reason = Trimmed(500)


class Prices(BaseModel):
    """A SKU's prices, set at once. `sale_price` left out: no sale; `cost` left out: kept."""

    model_config = ConfigDict(extra="forbid")

    list_price: Price
    sale_price: Price | None = None
    cost: Price | None = None


class OverriddenPrices(Prices):
    reason: Reason = Field(description="Why the margin guard is set aside (audited)")


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price: Price
    starts_at: Timestamp
    ends_at: Timestamp | None = Field(default=None, description="None: until cancelled")
    note: Reason | None = None


class OverriddenScheduleIn(ScheduleIn):
    reason: Reason = Field(description="Why the margin guard is set aside (audited)")


class ScheduleOut(BaseModel):
    id: UUID
    sku_id: UUID
    price: Money
    starts_at: datetime
    ends_at: datetime | None
    state: ScheduleState
    note: str | None
    created_by: UUID
    created_at: datetime
    override_by: UUID | None
    override_reason: str | None
    settled_at: datetime | None


class PricingOut(BaseModel):
    sku_id: UUID
    product_id: UUID
    price: Money = Field(description="What it sells for now")
    list_price: Money
    sale_price: Money | None
    cost: Money | None
    margin_bps: int | None = Field(description="Of the price now, over the cost")
    floor: Money | None = Field(
        description="The lowest price the margin guard lets through; null when no cost is "
        "known, or when no price within the money limit keeps the margin over the cost"
    )
    scheduled: list[ScheduleOut] = Field(description="Pending and active changes")


class PriceRecordOut(BaseModel):
    id: UUID
    sku_id: UUID
    source: PriceSource
    currency: str
    old_amount: int | None
    amount: int
    list_amount: int
    sale_amount: int | None
    cost_amount: int | None
    schedule_id: UUID | None
    by: UUID | None
    override_by: UUID | None
    reason: str | None
    effective_at: datetime
    recorded_at: datetime
