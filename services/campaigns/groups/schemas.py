"""Request and response bodies of the group-buy routes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import JsonInt, Trimmed
from chassis.money import Money
from services.campaigns.groups.rules import GroupStatus

Name = Trimmed(200)


class TemplateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    campaign_id: UUID | None = None
    sku_id: UUID
    group_size: JsonInt = Field(
        ge=2, le=100, description="Members a group needs, its opener included"
    )
    group_price: Money = Field(description="Unit price each member pays once the group is full")
    time_limit_minutes: JsonInt = Field(
        default=24 * 60, ge=1, le=7 * 24 * 60, description="How long a group has to fill"
    )


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    campaign_id: UUID | None
    sku_id: UUID
    group_size: int
    group_price: Money
    time_limit_minutes: int
    created_at: datetime


class GroupOut(BaseModel):
    """A group as anyone holding its code sees it: how full it is, not who is in it."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template_id: UUID
    code: str = Field(description="The share code others join with")
    size: int
    members: int = Field(description="Seats taken")
    status: GroupStatus
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None


class MembershipOut(BaseModel):
    """The signed-in customer's seat in a group."""

    group: GroupOut
    seat: int
    order_id: UUID | None
    joined_at: datetime
