"""Request and response bodies of after-sales."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    UrlConstraints,
    field_validator,
)

from chassis.http.fields import JsonInt
from chassis.money import Money
from contracts.orders import AfterSaleKind
from services.orders.aftersales.lifecycle import AfterSaleStatus
from services.orders.refunds.schemas import Reason

# Shorter than HttpUrl's 2083: a URL is normalised when stored and must still be one read back.
PhotoUrl = Annotated[HttpUrl, UrlConstraints(max_length=2000)]
MAX_PHOTOS = 9


class AfterSaleLineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: JsonInt = Field(ge=0, le=99, description="The order line (`line_no` of the order)")
    quantity: JsonInt = Field(ge=1, le=999, description="Units asked back")


class AfterSaleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AfterSaleKind
    reason: Reason
    photo_urls: list[PhotoUrl] = Field(default_factory=list, max_length=MAX_PHOTOS)
    lines: list[AfterSaleLineRequest] = Field(min_length=1, max_length=100)

    @field_validator("lines")
    @classmethod
    def each_line_once(cls, lines: list[AfterSaleLineRequest]) -> list[AfterSaleLineRequest]:
        if len({line.line_no for line in lines}) != len(lines):
            raise ValueError("name each order line once")
        return lines


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Reason | None = None


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Shown to the customer")


class GoodsReceived(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resaleable: StrictBool = Field(description="The goods can be sold again (they restock)")
    note: Reason | None = None


class AfterSaleLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    sku_id: UUID
    quantity: int
    amount: Money = Field(description="The refund these units are worth")


class AfterSaleStepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: AfterSaleStatus
    at: datetime
    cause: str


class AfterSaleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    order_id: UUID
    customer_id: UUID
    kind: AfterSaleKind
    status: AfterSaleStatus
    lines: list[AfterSaleLineOut]
    amount: Money
    reason: str
    photo_urls: list[str]
    decision_note: str | None = Field(description="The operator's note or rejection reason")
    resaleable: bool | None
    refund_id: UUID | None
    requested_at: datetime
    history: list[AfterSaleStepOut] = Field(description="Every state it entered, oldest first")


class AfterSaleFilters(BaseModel):
    status: AfterSaleStatus | None = None
    order_id: UUID | None = None


def _filters(
    status: Annotated[AfterSaleStatus | None, Query()] = None,
    order_id: Annotated[UUID | None, Query()] = None,
) -> AfterSaleFilters:
    return AfterSaleFilters(status=status, order_id=order_id)


AfterSaleFiltersDep = Annotated[AfterSaleFilters, Depends(_filters)]
