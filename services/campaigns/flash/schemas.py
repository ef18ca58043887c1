"""Request and response bodies of the flash-sale routes."""

from datetime import datetime
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from chassis.http.fields import JsonInt, Timestamp, Trimmed
from chassis.money import Money
from services.campaigns.flash.lifecycle import HoldState, SessionState
from services.campaigns.flash.models import ReservationStatus

Name = Trimmed(200)


class ItemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    flash_price: Money
    stock: JsonInt = Field(ge=1, le=10_000_000)
    per_user_limit: JsonInt = Field(default=1, ge=1, le=100)


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    campaign_id: UUID | None = None
    starts_at: Timestamp
    ends_at: Timestamp
    reservation_minutes: JsonInt = Field(
        default=15, ge=1, le=1440, description="How long a reservation waits for its order"
    )
    items: list[ItemRequest] = Field(min_length=1, max_length=200)

    @field_validator("ends_at")
    @classmethod
    def _ends_after_it_starts(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        if "starts_at" in info.data and ends_at <= info.data["starts_at"]:
            raise ValueError("must be after starts_at")
        return ends_at

    @field_validator("items")
    @classmethod
    def _a_sku_once(cls, items: list[ItemRequest]) -> list[ItemRequest]:
        if len({item.sku_id for item in items}) != len(items):
            raise ValueError("lists each SKU once")
        return items


class ItemOut(BaseModel):
    sku_id: UUID
    flash_price: Money
    stock: int
    left: int
    per_user_limit: int
    stopped_at: datetime | None = Field(
        default=None,
        description="Set while the catalog has the SKU delisted: it takes no reservation",
    )


class SessionOut(BaseModel):
    id: UUID
    name: str
    campaign_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    reservation_minutes: int
    state: SessionState = Field(
        description="pending until the catalog holds every item's stock, then held (on sale "
        "within its window); refused, cancelled or ended take no reservation"
    )
    items: list[ItemOut]


class ItemStockOut(BaseModel):
    sku_id: UUID
    stock: int = Field(description="The units asked of the catalog")
    hold: HoldState
    available: int | None = Field(description="What the catalog had when it refused")
    refusal: str | None
    sold: int | None = Field(description="Sold from the hold, by the catalog's count at the end")
    returned: int | None = Field(description="Given back to the catalog's stock at the end")


class SessionStockOut(BaseModel):
    """A session's stock as the catalog answered for it, for operators."""

    session_id: UUID
    state: SessionState
    ended_at: datetime | None
    items: list[ItemStockOut]


class ReservationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    quantity: JsonInt = Field(default=1, ge=1, le=100)


class ReservationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    session_id: UUID
    sku_id: UUID
    quantity: int
    flash_price: Money
    status: ReservationStatus
    order_id: UUID | None
    reserved_at: datetime
    expires_at: datetime
