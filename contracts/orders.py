"""Events the orders service publishes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.events import EventData, event
from chassis.money import Money


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: UUID
    quantity: int = Field(gt=0)
    unit_price: Money


@event("flywheel.orders.order.placed.v1", topic="flywheel.orders.order", key="order_id")
class OrderPlaced(EventData):
    """A customer placed an order."""

    order_id: UUID
    customer_id: str
    lines: list[OrderLine] = Field(min_length=1)
    total: Money
    placed_at: datetime
