"""Bodies of the performance routes."""

from uuid import UUID

from pydantic import BaseModel, Field

from chassis.money import Money


class PerformanceOut(BaseModel):
    campaign_id: UUID
    reach: int = Field(description="Customers who claimed, reserved or ordered through it")
    claims: int = Field(description="Coupons of the campaign claimed")
    redemptions: int = Field(description="Coupons of the campaign spent on paid orders")
    orders: int = Field(description="Paid orders attributed to the campaign")
    gmv: Money | None = Field(description="Their totals as paid (null before the first)")
    refunded: Money | None = Field(description="What refunds of those orders gave back")
    net_gmv: Money | None = Field(description="GMV less refunds")
    spend: Money | None = Field(description="Budget consumed and not given back")
    roi: float | None = Field(description="Net GMV / spend; null while nothing was spent")
