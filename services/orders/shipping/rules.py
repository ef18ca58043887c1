"""Freight templates (运费模板, pure): the shipping fee of an order, and the rule that set it.

A template prices by item count: a rate per group of destination regions (the first rate
naming the region, else the default) charges `first_fee` for the first `first_items` and
`extra_fee` for every `extra_items` more, begun; an order whose goods (before coupons) reach
`free_over` ships free; a remote region may be excluded (not delivered to) or surcharged (the
surcharge applies even when the rest is free).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from chassis.http.problems import InvalidInput

REGION = "body.shipping_address.region"


@dataclass(frozen=True)
class Rate:
    first_items: int
    first_fee: int
    extra_items: int
    extra_fee: int
    regions: frozenset[str] = frozenset()  # empty: the default rate

    def fee(self, items: int) -> int:
        extra = max(0, items - self.first_items)
        return self.first_fee + -(-extra // self.extra_items) * self.extra_fee


@dataclass(frozen=True)
class Freight:
    name: str
    default: Rate
    rates: tuple[Rate, ...] = ()
    free_over: int | None = None
    excluded: frozenset[str] = frozenset()
    surcharges: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Shipping:
    fee: int
    rule: str


def shipping(freight: Freight, region: str, items: int, goods: int) -> Shipping:
    """The fee for `items` units worth `goods` (minor units, before coupons) to `region`;
    a 422 naming the region when the template does not deliver there."""
    if region in freight.excluded:
        raise InvalidInput(REGION, f"{freight.name} does not deliver to {region}")
    rate = next((r for r in freight.rates if region in r.regions), freight.default)
    where = region if rate.regions else "the default rate"
    if freight.free_over is not None and goods >= freight.free_over:
        fee, rule = 0, f"{freight.name}: free over {freight.free_over}"
    else:
        fee = rate.fee(items)
        rule = (
            f"{freight.name}: {where}, {items} items: {rate.first_fee} for the first "
            f"{rate.first_items}, {rate.extra_fee} per {rate.extra_items} more"
        )
    if (surcharge := freight.surcharges.get(region)) is not None:
        fee, rule = fee + surcharge, f"{rule}; remote surcharge {surcharge}"
    return Shipping(fee, rule)
