"""Request and response bodies of carts."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import JsonInt
from chassis.money import Money

MAX_LINES = 100


class CartItemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: JsonInt = Field(ge=1, le=999)


class CartLineOut(BaseModel):
    sku_id: UUID
    quantity: int
    unit_price: Money | None = Field(description="Today's list price; None if it cannot be ordered")
    line_total: Money | None
    unavailable: str | None = Field(
        description="Why the SKU cannot be ordered now (delisted, unpriced, ...); None if it can"
    )


class CartOut(BaseModel):
    lines: list[CartLineOut] = Field(description="Oldest first")
    total: Money | None = Field(
        description="Sum of the lines when every line is priced, in one currency; else None"
    )
