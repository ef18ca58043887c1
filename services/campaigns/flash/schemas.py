"""Request and response bodies of the flash-sale routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from chassis.http.fields import JsonInt, Timestamp
from chassis.money import Money
from services.campaigns.flash.models import ReservationStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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


class SessionOut(BaseModel):
    id: UUID
    name: str
    campaign_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    reservation_minutes: int
    items: list[ItemOut]


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
