"""Request and response bodies of content calls."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chassis.http.fields import Timestamp
from contracts.content import Reward, RewardKind
from services.content.calls.models import Judging
from services.content.posts.schemas import Caption, Label, Title


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Caption = ""
    topic: Label | None = Field(default=None, description="The topic entries are shown under")
    starts_at: Timestamp
    ends_at: Timestamp
    judging: Judging
    winners: int = Field(ge=1, le=100)
    reward: Reward

    @model_validator(mode="after")
    def _consistent(self) -> "CallIn":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.reward.kind is RewardKind.COUPON and self.reward.coupon_id is None:
            raise ValueError("a coupon reward names its coupon_id")
        if self.reward.kind is RewardKind.POINTS and self.reward.points is None:
            raise ValueError("a points reward says how many points")
        return self


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: UUID


class Verdict(BaseModel):
    """Operators' judging names the winners in order; engagement judging names none."""

    model_config = ConfigDict(extra="forbid")

    post_ids: Annotated[list[UUID], Field(max_length=100)] = Field(default_factory=list)


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    title: str
    description: str
    topic: str | None
    starts_at: datetime
    ends_at: datetime
    judging: Judging
    winners: int
    reward: Reward
    judged_at: datetime | None


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    call_id: UUID
    post_id: UUID
    author: UUID
    submitted_at: datetime
    rank: int | None
