"""Request and response bodies of freight templates, and an order's shipping address."""

import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from chassis.http.fields import JsonInt, Trimmed
from chassis.money import Price
from contracts.users import Tier
from services.orders.shipping.rules import Basis

MAX_GRAMS = 1_000_000  # a tonne: beyond it is freight of another kind

Region = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"),
    Field(description="ISO 3166-2 code of the province or region, e.g. CN-ZJ (or a country)"),
]


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[Region] = Field(default_factory=list, max_length=100)
    first_items: JsonInt = Field(default=1, ge=1, le=10_000, description="By item count: 首件")
    first_fee: Price
    extra_items: JsonInt = Field(default=1, ge=1, le=10_000, description="By item count: 续件")
    extra_fee: Price
    first_grams: JsonInt | None = Field(
        default=None, ge=1, le=MAX_GRAMS, description="By weight (required): 首重, in grams"
    )
    extra_grams: JsonInt | None = Field(
        default=None, ge=1, le=MAX_GRAMS, description="By weight (required): 续重, in grams"
    )


class MemberThreshold(BaseModel):
    """A member tier's own free-shipping threshold (members of higher tiers have it too)."""

    model_config = ConfigDict(extra="forbid")

    tier: Tier
    free_over: Price


class Surcharge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Region
    fee: Price


class FreightRequest(BaseModel):
    """运费模板: by item count or by weight, a default rate and rates for groups of regions,
    free above a threshold (lower ones for member tiers), remote regions excluded or
    surcharged; every amount in the template's currency."""

    model_config = ConfigDict(extra="forbid")

    name: Trimmed(100)
    basis: Basis = Field(
        default=Basis.ITEMS, description="`items` (按件数) or `weight` (按重量, grams)"
    )
    default: RateIn
    rates: list[RateIn] = Field(default_factory=list, max_length=50)
    free_over: Price | None = None
    member_free_over: list[MemberThreshold] = Field(
        default_factory=list,
        max_length=len(Tier),
        description="Lower thresholds for member tiers, one per tier",
    )
    unknown_weight_grams: JsonInt | None = Field(
        default=None,
        ge=1,
        le=MAX_GRAMS,
        description="By weight: what a SKU the catalog published no weight for counts "
        "(without it, such a SKU cannot be ordered while the template applies)",
    )
    excluded_regions: list[Region] = Field(default_factory=list, max_length=100)
    remote_surcharges: list[Surcharge] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def one_currency(self) -> "FreightRequest":
        amounts = [self.default.first_fee, self.default.extra_fee, self.free_over]
        amounts += [m for r in self.rates for m in (r.first_fee, r.extra_fee)]
        amounts += [s.fee for s in self.remote_surcharges]
        amounts += [m.free_over for m in self.member_free_over]
        if len({m.currency for m in amounts if m is not None}) != 1:
            raise ValueError("every amount of a template is in one currency")
        return self

    @field_validator("member_free_over")
    @classmethod
    def one_threshold_per_tier(cls, thresholds: list[MemberThreshold]) -> list[MemberThreshold]:
        if len({t.tier for t in thresholds}) != len(thresholds):
            raise ValueError("one threshold per tier")
        return thresholds

    def misfit(self) -> tuple[str, str] | None:
        """The field that does not fit the basis (a rate by weight needs its grams, a rate by
        item count takes none), and why; None when everything fits."""
        rates = [("body.default", self.default)]
        rates += [(f"body.rates.{i}", r) for i, r in enumerate(self.rates)]
        for where, rate in rates:
            for name in ("first_grams", "extra_grams"):
                given = getattr(rate, name) is not None
                if self.basis == Basis.WEIGHT and not given:
                    return f"{where}.{name}", "a template by weight needs it"
                if self.basis == Basis.ITEMS and given:
                    return f"{where}.{name}", "a template by item count takes no weight"
        if self.basis == Basis.ITEMS and self.unknown_weight_grams is not None:
            return "body.unknown_weight_grams", "a template by item count takes no weight"
        return None

    @property
    def currency(self) -> str:
        return self.default.first_fee.currency


class FreightOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    currency: str
    terms: dict
    created_at: datetime
    activated_at: datetime | None = Field(description="The latest activated one applies")


CN_MOBILE = re.compile(r"1[3-9]\d{9}")
E164 = re.compile(r"\+[1-9]\d{6,14}")


def _phone(value: object) -> object:
    """A Chinese mobile number (11 digits from 1[3-9], stored as +86...) or an E.164 number;
    spaces, hyphens and parentheses are dropped first."""
    if not isinstance(value, str):
        return value
    digits = re.sub(r"[\s()\-]", "", value)
    if CN_MOBILE.fullmatch(digits):
        return f"+86{digits}"
    if E164.fullmatch(digits):
        return digits
    raise ValueError("a phone number is a Chinese mobile (13800138000) or E.164 (+8613800138000)")


Phone = Annotated[
    str,
    BeforeValidator(_phone),
    Field(description="A Chinese mobile number or E.164; stored as E.164 (+86...)"),
]
Recipient = Trimmed(100)
AddressLine = Trimmed(200)
# Whitespace around the code is allowed and trimmed off, in the pattern too: the OpenAPI
# document states what is accepted as sent.
PostalCode = Annotated[
    str,
    StringConstraints(pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9 \-]{0,8}[A-Za-z0-9\-]\s*$"),
    AfterValidator(str.strip),
]


class ShippingAddress(BaseModel):
    """Where an order goes: the order keeps it as it was (a later address-book edit leaves
    the order as placed); freight is priced by its region."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    recipient: Recipient
    phone: Phone
    region: Region
    address_lines: list[AddressLine] = Field(
        min_length=1, max_length=3, description="Street, building, unit (1 to 3 lines)"
    )
    postal_code: PostalCode | None = None
