"""Money: integer minor units and an ISO 4217 currency code, never floats."""

from pydantic import BaseModel, ConfigDict, Field


class Money(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int = Field(ge=0, description="Amount in minor units (cents, fen)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY, USD")
