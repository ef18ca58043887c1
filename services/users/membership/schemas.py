"""Response bodies of membership."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from chassis.http.fields import JsonInt
from contracts.users import Tier
from services.users.membership import tiers


class BenefitsOut(BaseModel):
    points_multiplier_percent: int = Field(description="Points earned x this / 100")
    member_price: bool = Field(description="May buy at member prices")
    free_shipping_threshold: JsonInt = Field(description="Orders from this amount ship free")


class LevelOut(BaseModel):
    tier: Tier
    spend_12m: JsonInt = Field(description="Rolling 12-month net spend that reaches the tier")
    benefits: BenefitsOut

    @classmethod
    def of(cls, level: tiers.Level) -> "LevelOut":
        return cls(
            tier=level.tier,
            spend_12m=level.spend_12m,
            benefits=BenefitsOut.model_validate(level.benefits, from_attributes=True),
        )


class TierOut(BaseModel):
    user_id: UUID
    tier: Tier
    since: datetime | None = Field(description="When the tier was reached (null: never moved)")
    review_at: datetime | None = Field(description="When the tier is reviewed (null: regular)")
    spend_12m: JsonInt = Field(description="Net spend of the last 12 months, minor units")
    benefits: BenefitsOut
    next_tier: LevelOut | None = Field(description="The tier above, and what it takes")
