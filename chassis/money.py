"""Money: integer minor units and an ISO 4217 currency code, never floats."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Composite, composite

from chassis.http.fields import JsonInt

MAX_AMOUNT = 2**53 - 1


class Money(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # At most 2^53 - 1: exact in a 64-bit column and in a JavaScript number on the storefront.
    amount: JsonInt = Field(ge=0, le=MAX_AMOUNT, description="Amount in minor units (cents, fen)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY, USD")

    @classmethod
    def from_columns(cls, amount: int, currency: str) -> "Money":
        return cls(amount=amount, currency=currency)

    def __composite_values__(self) -> tuple[int, str]:
        """Its columns, in the order `money_columns` names them."""
        return self.amount, self.currency


def _half_missing(amount: int | None, currency: str | None) -> bool:
    return amount is None or currency is None


def money_columns(amount: str, currency: str) -> Composite[Money | None]:
    """A `Money` attribute of an ORM model kept in two of its columns (minor units, ISO
    code), as an SQLAlchemy composite: reads None where either is NULL (half a price is no
    price); assigning (also as a constructor keyword) sets both; `Model.price == money`
    compares both columns in SQL."""
    return composite(Money.from_columns, amount, currency, return_none_on=_half_missing)


# ISO 4217 active codes (2024 list, funds and precious metals left out): a price in any other
# code cannot be charged, so it is refused where prices are set.
_ISO_4217_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())


def _known_currency(code: str) -> str:
    if code not in ISO_4217:
        raise ValueError(f"{code} is not an ISO 4217 currency")
    return code


class Price(Money):
    """Money in a currency that ISO 4217 lists: what a price set by staff must be."""

    currency: Annotated[str, AfterValidator(_known_currency)] = Field(
        pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY, USD"
    )
