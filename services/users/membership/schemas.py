"""Response bodies of membership."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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


class BenefitsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points_multiplier_percent: int = Field(ge=100, le=tiers.MAX_MULTIPLIER)
    member_price: bool
    free_shipping_threshold: int = Field(ge=0, le=2**53 - 1)


class LevelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: Tier
    spend_12m: int = Field(ge=0, le=2**53 - 1, description="Minor units that reach the tier")
    benefits: BenefitsIn


class TableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_version: int = Field(description="The version this change replaces")
    levels: list[LevelIn] = Field(description="Every tier, in order: regular to platinum")

    def as_levels(self) -> tiers.Levels:
        return tuple(
            tiers.Level(level.tier, level.spend_12m, tiers.Benefits(**level.benefits.model_dump()))
            for level in self.levels
        )


class TableOut(BaseModel):
    version: int
    levels: list[LevelOut]
    created_at: datetime
    created_by: UUID | None = Field(description="The operator (null: seeded)")


class TierOut(BaseModel):
    user_id: UUID
    tier: Tier
    since: datetime | None = Field(description="When the tier was reached (null: never moved)")
    review_at: datetime | None = Field(description="When the tier is reviewed (null: regular)")
    spend_12m: JsonInt = Field(description="Net spend of the last 12 months, minor units")
    benefits: BenefitsOut
    next_tier: LevelOut | None = Field(description="The tier above, and what it takes")
