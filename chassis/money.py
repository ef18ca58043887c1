"""Money: integer minor units and an ISO 4217 currency code, never floats."""

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT = 2**53 - 1


class Money(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # At most 2^53 - 1: exact in a 64-bit column and in a JavaScript number on the storefront.
    amount: int = Field(ge=0, le=MAX_AMOUNT, description="Amount in minor units (cents, fen)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY, USD")
