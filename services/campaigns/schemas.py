"""Request and response bodies of the campaigns API."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from chassis.http.fields import Timestamp
from chassis.money import Money
from services.campaigns import schedule
from services.campaigns.models import CampaignKind, CampaignState

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class CampaignPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: CampaignKind
    starts_at: Timestamp
    ends_at: Timestamp
    budget: Money | None = None

    @field_validator("ends_at")
    @classmethod
    def _ends_after_it_starts(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        if "starts_at" in info.data:  # absent when starts_at itself was invalid
            schedule.check_window(info.data["starts_at"], ends_at)
        return ends_at


class CampaignOut(BaseModel):
    """What anyone may know of a campaign."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: CampaignKind
    starts_at: datetime
    ends_at: datetime
    state: CampaignState


class ScheduledCampaign(CampaignOut):
    """A campaign as its operators see it, budget included."""

    budget: Money | None
    created_by: UUID
    created_at: datetime


class SkuPriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: UUID
    price: Money
