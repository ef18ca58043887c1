"""Request and response bodies of referrals."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class ReferralOut(BaseModel):
    code: str = Field(description="The caller's personal invite code")
    referred_by_code: str | None = Field(description="The code the caller claimed, if any")
    pending: int = Field(description="Customers referred whose first order has not completed")
    rewarded: int = Field(description="Customers referred whose first order completed")
    refused: int = Field(description="Referrals not rewarded: the two sides share a signal")
    capped: int = Field(description="Referrals not rewarded: the month's cap was reached")
    referrer_points: int = Field(description="Points the caller gets per rewarded referral")
    referee_points: int = Field(description="Points a referred customer gets")


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class ClaimOut(BaseModel):
    code: str
    status: str
    attributed_at: datetime
