"""Request and response bodies of checkout and order reading."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from chassis.http.fields import JsonInt, Timestamp
from chassis.money import Money
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.shipping.schemas import ShippingAddress

MAX_POINTS = 10_000_000


class LineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID = Field(
        validation_alias=AliasChoices("sku_id", "product_id"),
        description="The SKU (`product_id`, its former name, is still accepted)",
    )
    quantity: JsonInt = Field(ge=1, le=999)


class OrderRequest(BaseModel):
    """What a customer orders; the prices are the catalog's, so the client sends none."""

    model_config = ConfigDict(extra="forbid")

    lines: list[LineRequest] = Field(min_length=1, max_length=100)
    coupon_ids: list[UUID] = Field(
        default_factory=list, max_length=10, description="Coupons the customer holds"
    )
    points: JsonInt = Field(default=0, ge=0, le=MAX_POINTS, description="To redeem")
    shipping_address: ShippingAddress | None = Field(
        default=None,
        description="Where it goes (or `address_id`); required while a freight template applies",
    )
    address_id: UUID | None = Field(
        default=None, description="One's saved address (address book), instead of the address"
    )
    group_id: UUID | None = Field(
        default=None, description="The group buy (拼团) joined: its SKU alone, at the group price"
    )
    bargain_id: UUID | None = Field(
        default=None, description="One's bargain (砍价) at its floor: one unit at the floor price"
    )
    flash_reservation_id: UUID | None = Field(
        default=None,
        description="One's flash reservation (秒杀): its SKU's line, at most the units reserved, "
        "at the flash price",
    )

    @field_validator("address_id")
    @classmethod
    def one_address(cls, address_id: UUID | None, info: ValidationInfo) -> UUID | None:
        if address_id is not None and info.data.get("shipping_address") is not None:
            raise ValueError("an order takes a shipping address or an address id, not both")
        return address_id

    @field_validator("bargain_id")
    @classmethod
    def one_deal(cls, bargain_id: UUID | None, info: ValidationInfo) -> UUID | None:
        if bargain_id is not None and info.data.get("group_id") is not None:
            raise ValueError("an order takes a group buy's price or a bargain's, not both")
        return bargain_id

    @field_validator("flash_reservation_id")
    @classmethod
    def flash_alone(cls, flash_reservation_id: UUID | None, info: ValidationInfo) -> UUID | None:
        deal = info.data.get("group_id") or info.data.get("bargain_id")
        if flash_reservation_id is not None and deal is not None:
            raise ValueError("an order takes a flash price or a group buy's or bargain's, not both")
        return flash_reservation_id

    @field_validator("coupon_ids")
    @classmethod
    def coupons_once(cls, coupon_ids: list[UUID]) -> list[UUID]:
        if len(set(coupon_ids)) != len(coupon_ids):
            raise ValueError("a coupon can be used once per order")
        return coupon_ids


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int = Field(description="The line's number in the order, from 0")
    sku_id: UUID
    product_id: UUID = Field(description="Deprecated: the SKU id again (read `sku_id`)")
    quantity: int
    list_price: Money
    unit_price: Money
    coupon_discount: Money | None = Field(description="The line's share of the coupons' discount")
    paid: Money


class ShippingAddressOut(BaseModel):
    """The address the order keeps; after the customer's erasure only the region is left."""

    recipient: str
    phone: str
    region: str
    address_lines: list[str]
    postal_code: str | None


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: OrderStatus
    at: datetime
    cause: str


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    customer_id: UUID
    status: OrderStatus
    lines: list[OrderLineOut]
    total: Money
    shipping_fee: Money | None = Field(description="Part of the total; None: none charged")
    shipping_rule: str | None = Field(description="The freight template's rule that set it")
    shipping_address: ShippingAddressOut | None = Field(
        description="Where it goes, as placed; None: none given"
    )
    points: int
    coupon_ids: list[UUID]
    campaign_ids: list[UUID] = Field(
        description="The campaigns whose prices the lines are charged at (the quote's)"
    )
    group_id: UUID | None
    bargain_id: UUID | None
    flash_reservation_id: UUID | None
    flash_session_id: UUID | None = Field(description="The flash reservation's session")
    placed_at: datetime
    payment_expires_at: datetime | None
    history: list[StepOut] = Field(description="Every state the order entered, oldest first")


class OrderFilters(BaseModel):
    status: OrderStatus | None = None
    placed_from: Timestamp | None = None
    placed_to: Timestamp | None = None


class OrderSearch(OrderFilters):
    customer_id: UUID | None = None
    sku_id: UUID | None = None


def _filters(
    status: Annotated[OrderStatus | None, Query()] = None,
    placed_from: Annotated[Timestamp | None, Query(description="Placed at or after")] = None,
    placed_to: Annotated[Timestamp | None, Query(description="Placed before")] = None,
) -> OrderFilters:
    return OrderFilters(status=status, placed_from=placed_from, placed_to=placed_to)


def _search(
    filters: Annotated[OrderFilters, Depends(_filters)],
    customer_id: Annotated[UUID | None, Query()] = None,
    sku_id: Annotated[UUID | None, Query()] = None,
) -> OrderSearch:
    return OrderSearch(**filters.model_dump(), customer_id=customer_id, sku_id=sku_id)


FiltersDep = Annotated[OrderFilters, Depends(_filters)]
SearchDep = Annotated[OrderSearch, Depends(_search)]
