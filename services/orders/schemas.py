"""Request and response bodies of the orders API."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.money import Money
from services.orders.models import OrderStatus


class LineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    quantity: int = Field(ge=1, le=999)


class OrderRequest(BaseModel):
    """What a customer orders; the prices are the catalog's, so the client sends none."""

    model_config = ConfigDict(extra="forbid")

    lines: list[LineRequest] = Field(min_length=1, max_length=100)


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: UUID
    quantity: int
    unit_price: Money


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    customer_id: UUID
    status: OrderStatus
    lines: list[OrderLineOut]
    total: Money
    placed_at: datetime
