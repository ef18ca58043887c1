"""Request and response bodies of the bargain routes."""

from datetime import datetime
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from chassis.http.fields import JsonInt, Trimmed
from chassis.money import Money
from services.campaigns.bargains.cuts import BargainStatus

Name = Trimmed(200)


class TemplateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    campaign_id: UUID | None = None
    sku_id: UUID
    start_price: Money = Field(description="The price a bargain starts from")
    helps: JsonInt = Field(ge=1, le=1000, description="Helps that bring the price to the floor")
    floor_price: Money = Field(description="The price the last help reaches, exactly")
    time_limit_minutes: JsonInt = Field(
        default=24 * 60, ge=1, le=30 * 24 * 60, description="How long helps are taken"
    )
    order_minutes: JsonInt = Field(
        default=24 * 60,
        ge=1,
        le=30 * 24 * 60,
        description="How long the starter may order at the floor once it is reached",
    )

    @field_validator("floor_price")
    @classmethod
    def _room_for_every_help(cls, floor: Money, info: ValidationInfo) -> Money:
        start, helps = info.data.get("start_price"), info.data.get("helps")
        if start is None or helps is None:
            return floor  # their own errors are reported
        if floor.currency != start.currency:
            raise ValueError("must be in the currency of start_price")
        if start.amount - floor.amount < helps:
            raise ValueError("must lie at least one minor unit per help below start_price")
        return floor


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    campaign_id: UUID | None
    sku_id: UUID
    start_price: Money
    floor_price: Money
    helps: int
    time_limit_minutes: int
    order_minutes: int
    created_at: datetime


class CutOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int = Field(description="Which help this was, from 1")
    amount: JsonInt = Field(description="Minor units cut, in the bargain's currency")
    cut_at: datetime


class BargainOut(BaseModel):
    """A bargain as its shared page shows it: the price, the helps, not who helped."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template_id: UUID
    sku_id: UUID
    start_price: Money
    price: Money
    floor_price: Money
    helps: int
    helps_done: int
    status: BargainStatus
    started_at: datetime
    expires_at: datetime
    reached_at: datetime | None
    order_until: datetime | None
    cuts: list[CutOut]


class MyBargainOut(BargainOut):
    order_id: UUID | None


class HelpOut(BaseModel):
    """The helper's own cut and the bargain after it."""

    cut: Money
    bargain: BargainOut
