"""Response bodies of metrics."""

from datetime import datetime

from pydantic import BaseModel

from chassis.money import Money


class OrderSummary(BaseModel):
    order_count: int
    total_spent: Money
    last_order_at: datetime
