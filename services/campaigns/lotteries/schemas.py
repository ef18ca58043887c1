"""Request and response bodies of the lottery routes."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from chassis.http.fields import JsonInt, Timestamp, Trimmed
from chassis.money import Money
from services.campaigns.calendar import windows
from services.campaigns.lotteries.prizes import Fulfilment, PrizeKind

Name = Trimmed(200)
Key = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PrizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: PrizeKind
    weight: JsonInt = Field(ge=1, le=1_000_000_000, description="Relative odds of the prize")
    stock: JsonInt = Field(ge=1, le=10_000_000, description="How many can be awarded, at most")
    coupon_template_id: UUID | None = Field(default=None, description="For a coupon prize")
    points: JsonInt | None = Field(default=None, ge=1, le=10_000_000, description="For points")
    cost: Money | None = Field(
        default=None,
        description="What each award costs the campaign's budget, in its currency (points and "
        "items; a coupon's discount is charged when an order uses it)",
    )

    @model_validator(mode="after")
    def _what_the_kind_needs(self) -> "PrizeRequest":
        # Errors here name the prize; the message names the field.
        if (self.kind == PrizeKind.COUPON) != (self.coupon_template_id is not None):
            raise ValueError("coupon_template_id is given for coupon prizes, and only for them")
        if self.kind == PrizeKind.COUPON and self.cost is not None:
            raise ValueError("cost is not given for coupon prizes: orders charge their discount")
        if (self.kind == PrizeKind.POINTS) != (self.points is not None):
            raise ValueError("points is given for points prizes, and only for them")
        return self


class LotteryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    campaign_id: UUID | None = None
    opens_at: Timestamp = Field(description="Not in the past: the seed's hash is public first")
    closes_at: Timestamp
    time_zone: str = Field(default="UTC", description="IANA zone whose days the chances count")
    draws_per_day: JsonInt = Field(default=1, ge=0, le=1000, description="Free chances a day")
    chances_per_check_in: JsonInt = Field(
        default=0, ge=0, le=100, description="Extra chances for each check-in while it is open"
    )
    chances_per_referral: JsonInt = Field(
        default=0, ge=0, le=100, description="Extra chances for each referral while it is open"
    )
    no_prize_weight: JsonInt = Field(ge=0, le=1_000_000_000, description="Odds of no prize")
    prizes: list[PrizeRequest] = Field(min_length=1, max_length=50)

    @field_validator("closes_at")
    @classmethod
    def _closes_after_it_opens(cls, closes_at: datetime, info: ValidationInfo) -> datetime:
        if "opens_at" in info.data and closes_at <= info.data["opens_at"]:
            raise ValueError("must be after opens_at")
        return closes_at

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        windows.zone(name)
        return name


class LotteryStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class PrizeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    position: int = Field(description="Its place in the published order of outcomes, from 0")
    name: str
    kind: PrizeKind
    weight: int
    stock: int
    stock_left: int
    coupon_template_id: UUID | None
    points: int | None
    cost: Money | None


class LotteryOut(BaseModel):
    id: UUID
    name: str
    campaign_id: UUID | None
    opens_at: datetime
    closes_at: datetime
    time_zone: str
    draws_per_day: int
    chances_per_check_in: int
    chances_per_referral: int
    no_prize_weight: int
    status: LotteryStatus
    seed_hash: str = Field(description="SHA-256 (hex) of the server seed, public from the start")
    server_seed: str | None = Field(description="The seed (hex), revealed once it closes")
    prizes: list[PrizeOut]


class DrawRequest(BaseModel):
    """A draw's request: the lottery (what the Idempotency-Key's fingerprint covers)."""

    lottery_id: UUID


class WonPrize(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    position: int
    name: str
    kind: PrizeKind
    points: int | None


class DrawOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    lottery_id: UUID
    counter: int = Field(description="The customer's n-th draw in this lottery")
    prize: WonPrize | None = Field(description="What was won; null: no prize")
    fulfilment: Fulfilment
    fulfilment_note: str | None
    coupon_id: UUID | None
    drawn_at: datetime


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: UUID
    chances: JsonInt = Field(ge=1, le=100)
    key: Key = Field(description="The action's id: a repeat with it grants nothing more")
    reason: Name = "operator"


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lottery_id: UUID
    key: str
    user_id: UUID
    chances: int
    reason: str
    granted_at: datetime


class ChancesOut(BaseModel):
    lottery_id: UUID
    today_left: int = Field(description="Free chances left today (in the lottery's time zone)")
    extra_left: int = Field(description="Granted chances left")
    draws: int


class FulfilmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fulfilment: Fulfilment


class AuditLine(BaseModel):
    draw_id: UUID
    user_id: UUID
    counter: int
    picked: int | None = Field(description="Position the roll picked; null: no prize")
    awarded: int | None = Field(description="Position awarded; null: no prize")
    drawn_at: datetime


class FindingOut(BaseModel):
    draw_id: UUID | None
    problem: str


class VerificationOut(BaseModel):
    lottery_id: UUID
    server_seed: str
    seed_hash: str
    draws: int
    fair: bool
    findings: list[FindingOut]
