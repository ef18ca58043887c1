"""Response bodies of the metrics API."""

from datetime import date

from pydantic import BaseModel, Field

from chassis.money import Money


class SalesPoint(BaseModel):
    period: date = Field(description="First day of the day, week (Monday) or month, UTC")
    group: str | None = Field(
        default=None,
        description="With `by`: the channel, category id or campaign id; null for orders "
        "without one (a SKU of no known category, an order of no campaign)",
    )
    gmv: Money = Field(description="What buyers paid for goods in orders paid (no shipping)")
    orders: int = Field(description="Orders paid")
    paying_users: int = Field(description="Distinct customers who paid an order")
    new_buyers: int = Field(description="Paying customers whose first paid order is in it")
    returning_buyers: int = Field(description="Paying customers who had paid before")
    repeat_buyers: int = Field(description="Paying customers who paid two orders or more in it")
    repurchase_rate: float | None = Field(description="`repeat_buyers` as a share of paying")
    average_order_value: Money | None = Field(description="GMV per order, rounded half up")
    refunded: Money = Field(description="Refunds completed")
    refund_rate: float | None = Field(description="`refunded` as a share of `gmv`")


class GmvPoint(BaseModel):
    period: date = Field(description="First day of the day, week (Monday) or month, UTC")
    gmv: Money = Field(description="What buyers paid for goods in orders paid (no shipping)")
    orders: int = Field(description="Orders paid")
    average_order_value: Money | None = Field(description="GMV per order, rounded half up")
    refunded: Money = Field(description="Refunds completed")
    refund_rate: float | None = Field(description="`refunded` as a share of `gmv`")


class Gmv(BaseModel):
    interval: str
    points: list[GmvPoint] = Field(description="By period, then currency; no empty periods")


class Sales(BaseModel):
    interval: str
    by: str | None = Field(default=None, description="The dimension the points are split by")
    points: list[SalesPoint] = Field(description="By period, then currency; no empty periods")
