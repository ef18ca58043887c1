"""Request and response bodies of carts."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import JsonInt
from chassis.money import Money

MAX_LINES = 100
MAX_QUANTITY = 999


class CartItemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: JsonInt = Field(ge=1, le=MAX_QUANTITY)


class CartLineOut(BaseModel):
    sku_id: UUID
    quantity: int
    list_price: Money | None = Field(
        description="The catalog's price today; None if it cannot be ordered"
    )
    unit_price: Money | None = Field(
        description="What a unit costs the customer now: campaigns' quote without coupons (a "
        "running campaign's price, `campaign_id`, when lower), or the list price when the "
        "prices are not confirmed; None if it cannot be ordered"
    )
    campaign_id: UUID | None = Field(description="The campaign whose price `unit_price` is")
    line_total: Money | None = Field(description="`unit_price` times the quantity")
    unavailable: str | None = Field(
        description="Why the SKU cannot be ordered now (delisted, unpriced, ...); None if it can"
    )


class CartOut(BaseModel):
    lines: list[CartLineOut] = Field(description="Oldest first")
    total: Money | None = Field(
        description="Sum of the lines (at `unit_price`) when every line is priced, in one "
        "currency; else None"
    )
    campaign_ids: list[UUID] = Field(
        default_factory=list, description="The campaigns whose prices the lines show, once each"
    )
    prices_confirmed: bool = Field(
        description="Whether campaigns quoted the prices shown; false: campaigns could not "
        "answer, and the lines show list prices (checkout may then charge less, or refuse)"
    )


class AnonymousCartCreated(BaseModel):
    cart_id: UUID
    token: str = Field(
        description="The cart's secret, shown this once: send it as `X-Cart-Token` to read and "
        "change the cart, and to merge it on sign-in. Only its hash is stored; a lost token "
        "is a lost cart"
    )
    expires_at: datetime = Field(
        description="When the cart is gone if no line is put in or taken out before; each "
        "change starts its time to live over"
    )


class AnonymousCartOut(CartOut):
    cart_id: UUID
    expires_at: datetime = Field(description="When the cart is gone if left untouched")


class LeftOutLine(BaseModel):
    sku_id: UUID
    quantity: int = Field(description="The units of the anonymous line not merged")
    reason: str = Field(description="Why: the SKU cannot be ordered now, the cart is full, ...")


class MergedCartOut(CartOut):
    merged_cart_id: UUID = Field(description="The anonymous cart merged (now deleted)")
    left_out: list[LeftOutLine] = Field(
        description="What of the anonymous cart did not go into the customer's cart, and why"
    )
