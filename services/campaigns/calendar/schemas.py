"""Request and response bodies of the calendar routes."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from chassis.http.fields import Trimmed
from chassis.money import Money
from services.campaigns.calendar import windows
from services.campaigns.calendar.lifecycle import CampaignState
from services.campaigns.calendar.models import CampaignKind, Channel

Name = Trimmed(200)
Reason = Trimmed(1000, min_length=3)


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date and time")
    return value


# ISO 8601 text, with an offset (that instant) or without (a wall-clock time in the plan's
# zone); never a number. Unlike chassis.http.fields.Timestamp, the offset may be left out.
WallClock = Annotated[datetime, BeforeValidator(_iso_text)]


class CampaignPlan(BaseModel):
    """A campaign as an operator plans it. Times without an offset are wall-clock times in
    `time_zone`; every time is kept and answered in UTC."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: CampaignKind
    time_zone: str = Field(default="UTC", description="IANA zone the operator plans in")
    starts_at: WallClock
    ends_at: WallClock
    sku_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    segments: list[UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Users' segment ids (as users' segment events and campaigns' membership "
        "read model name them)",
    )
    channels: list[Channel] = Field(default_factory=list)
    budget: Money | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        windows.zone(name)
        return name

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _in_utc(cls, moment: datetime, info: ValidationInfo) -> datetime:
        if "time_zone" not in info.data:  # the zone itself was invalid: reported there
            return moment
        return windows.to_utc(moment, info.data["time_zone"])

    @field_validator("ends_at")
    @classmethod
    def _ends_after_it_starts(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        if "starts_at" in info.data and ends_at.tzinfo is not None:
            windows.check_window(info.data["starts_at"], ends_at)
        return ends_at

    @field_validator("sku_ids", "segments", "channels")
    @classmethod
    def _unique(cls, values: list) -> list:
        if len(set(values)) != len(values):
            raise ValueError("lists each value once")
        return values


class ScheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    override_reason: Reason | None = Field(
        default=None, description="Schedule despite the reported conflicts, for this reason"
    )


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class CampaignOut(BaseModel):
    """What anyone may know of a campaign."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: CampaignKind
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    state: CampaignState
    sku_ids: list[UUID]
    channels: list[Channel]


class StaffCampaign(CampaignOut):
    """A campaign as its operators see it: budget, targeting and the reasons given."""

    budget: Money | None
    segments: list[str]
    override_reason: str | None
    cancel_reason: str | None
    created_by: UUID
    created_at: datetime


class ConflictOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    campaign_id: UUID
    name: str
    sku_ids: list[UUID]
    segments: list[str]
