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


class LifecyclePoint(BaseModel):
    day: date = Field(description="The UTC day: `users` is the population at its end")
    stage: str = Field(description="The lifecycle stage (`potential`, `new`, ... `churned`)")
    users: int = Field(
        description="Users in the stage at the end of the day: registrations enter "
        "`potential`, each `users.lifecycle.changed` leaves one stage for another"
    )
    entered: int = Field(description="Moves into the stage that day (registrations included)")
    exited: int = Field(description="Moves out of the stage that day")


class Lifecycle(BaseModel):
    points: list[LifecyclePoint] = Field(
        description="Every day of the range and every stage, by day then stage (in the "
        "lifecycle's order), days without moves included"
    )


class RfmPoint(BaseModel):
    day: date = Field(description="The UTC day: `users` is the population at its end")
    group: str = Field(
        description="With `by=layer`: the layer (`important_value` ... `general_retain`); "
        'with `by=code`: the code, e.g. "543" (R, F, M scores 1..5)'
    )
    users: int = Field(
        description="Users in the group at the end of the day: each `users.rfm.scores_changed` "
        "leaves its `from_code` and enters its `to_code`"
    )
    entered: int = Field(description="Users who moved into the group that day")
    exited: int = Field(description="Users who moved out of the group that day")


class Rfm(BaseModel):
    by: str = Field(description="`layer` or `code`")
    points: list[RfmPoint] = Field(
        description="Every day of the range, by day then group: every layer (in the layers' "
        "order), or every code that held anyone up to the range's end (in the codes' order), "
        "days without moves included"
    )
