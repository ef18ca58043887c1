"""Money: integer minor units and an ISO 4217 currency code, never floats."""

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import JsonInt

MAX_AMOUNT = 2**53 - 1


class Money(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # At most 2^53 - 1: exact in a 64-bit column and in a JavaScript number on the storefront.
    amount: JsonInt = Field(ge=0, le=MAX_AMOUNT, description="Amount in minor units (cents, fen)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY, USD")


def money_columns(amount: str, currency: str) -> property:
    """A `Money` attribute of an ORM model kept in two of its columns (minor units, ISO
    code): reads None where either is NULL; assigning (also as a constructor keyword) sets
    both."""

    def get(row) -> Money | None:
        value, code = getattr(row, amount), getattr(row, currency)
        return None if value is None or code is None else Money(amount=value, currency=code)

    def set_(row, money: Money | None) -> None:
        setattr(row, amount, None if money is None else money.amount)
        setattr(row, currency, None if money is None else money.currency)

    return property(get, set_)
