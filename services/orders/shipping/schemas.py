"""Request and response bodies of freight templates, and an order's shipping address."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from chassis.http.fields import JsonInt
from chassis.money import Price

Region = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"),
    Field(description="ISO 3166-2 code of the province or region, e.g. CN-ZJ (or a country)"),
]


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[Region] = Field(default_factory=list, max_length=100)
    first_items: JsonInt = Field(default=1, ge=1, le=10_000)
    first_fee: Price
    extra_items: JsonInt = Field(default=1, ge=1, le=10_000)
    extra_fee: Price


class Surcharge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Region
    fee: Price


class FreightRequest(BaseModel):
    """运费模板: by item count, a default rate and rates for groups of regions, free above a
    threshold, remote regions excluded or surcharged; every amount in the template's
    currency."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    default: RateIn
    rates: list[RateIn] = Field(default_factory=list, max_length=50)
    free_over: Price | None = None
    excluded_regions: list[Region] = Field(default_factory=list, max_length=100)
    remote_surcharges: list[Surcharge] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def one_currency(self) -> "FreightRequest":
        amounts = [self.default.first_fee, self.default.extra_fee, self.free_over]
        amounts += [m for r in self.rates for m in (r.first_fee, r.extra_fee)]
        amounts += [s.fee for s in self.remote_surcharges]
        if len({m.currency for m in amounts if m is not None}) != 1:
            raise ValueError("every amount of a template is in one currency")
        return self

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


class ShippingAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Region
    recipient: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
