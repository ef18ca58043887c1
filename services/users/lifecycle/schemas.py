"""Request and response bodies of the lifecycle."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict

from chassis.http.fields import JsonInt
from contracts.users import LifecycleStage

Days = Annotated[int, Strict(), Field(ge=1, le=3650)]


class RulesIn(BaseModel):
    """The next version of the thresholds, made only if `expected_version` is still current."""

    model_config = ConfigDict(extra="forbid")

    expected_version: Annotated[int, Strict(), Field(ge=1)]
    new_days: Days = Field(description="A first paid order this recent makes a user new")
    dormant_days: Days = Field(description="No activity for this long: dormant")
    churned_days: Days = Field(description="No activity for this long: churned")
    high_value_spend: JsonInt = Field(
        ge=1, le=2**53 - 1, description="Lifetime net spend (minor units) of a high-value user"
    )
    high_value_orders: Annotated[int, Strict(), Field(ge=1, le=100_000)] = Field(
        description="Paid orders of a high-value user"
    )

    def thresholds(self) -> dict:
        return self.model_dump(exclude={"expected_version"})


class RulesOut(BaseModel):
    version: int
    new_days: int
    dormant_days: int
    churned_days: int
    high_value_spend: JsonInt
    high_value_orders: int
    created_at: datetime
    created_by: UUID | None


class StageOut(BaseModel):
    user_id: UUID
    stage: LifecycleStage
    since: datetime | None = Field(description="When the user entered the stage")
    rule_version: int | None = Field(description="The rules the stage was last decided under")
    next_check_at: datetime | None = Field(
        description="When the user's timer fires: time alone may move them then"
    )


class StagesOut(BaseModel):
    counts: dict[LifecycleStage, int]
    rule_version: int
