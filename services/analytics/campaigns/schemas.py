"""Response bodies of the campaigns list."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from chassis.money import Money


class CampaignState(StrEnum):
    """Where a campaign on the calendar stands, from the latest of its events (drafts are
    not published: they are not listed)."""

    SCHEDULED = "scheduled"  # campaign.scheduled
    RUNNING = "running"  # campaign.started
    ENDED = "ended"  # campaign.ended
    CANCELLED = "cancelled"  # campaign.cancelled


class CampaignSales(BaseModel):
    gmv: Money = Field(description="What buyers paid for the lines of the orders it brought")
    orders: int = Field(description="Orders paid that name it or used one of its coupons")
    refunded: Money = Field(description="Refunds completed of those orders")


class CampaignOut(BaseModel):
    id: UUID
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    state: CampaignState
    budget: Money | None
    sales: list[CampaignSales] = Field(
        description="In [from, to), per currency, as the sales breakdown by campaign counts "
        "them; empty when it sold nothing there"
    )
    claims: int = Field(description="Coupons of its templates claimed in [from, to)")
    spent: Money | None = Field(
        description="Its budget spent as of `to`: the running total of its latest "
        "`campaigns.budget.spend_changed` before `to` (by `changed_at`); null before any"
    )
    roi: float | None = Field(
        description="Net GMV / spent (投入产出比, as the campaigns service reports it), the net "
        "GMV being its sales less their refunds in the spend's currency in [from, to); null "
        "while nothing was spent"
    )
