"""Freight templates (运费模板, pure): the shipping fee of an order, and the rule that set it.

A template prices by item count (按件数) or by weight (按重量, grams): a rate per group of
destination regions (the first rate naming the region, else the default) charges
`first_fee` for the first `first` items or grams and `extra_fee` for every `extra` more,
begun (首件/续件, 首重/续重); an order whose goods (before coupons) reach `free_over` ships
free, and a member tier may have a lower threshold (a tier has every lower tier's); a remote
region may be excluded (not delivered to) or surcharged (the surcharge applies even when the
rest is free).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from chassis.http.problems import InvalidInput
from contracts.users import Tier

REGION = "body.shipping_address.region"
TIERS = list(Tier)  # lowest first


class Basis(StrEnum):
    ITEMS = "items"  # 按件数
    WEIGHT = "weight"  # 按重量, in grams


@dataclass(frozen=True)
class Rate:
    first: int  # items or grams, as the template's basis says
    first_fee: int
    extra: int
    extra_fee: int
    regions: frozenset[str] = frozenset()  # empty: the default rate

    def fee(self, measure: int) -> int:
        beyond = max(0, measure - self.first)
        return self.first_fee + -(-beyond // self.extra) * self.extra_fee


@dataclass(frozen=True)
class Freight:
    name: str
    default: Rate
    rates: tuple[Rate, ...] = ()
    free_over: int | None = None
    excluded: frozenset[str] = frozenset()
    surcharges: Mapping[str, int] = field(default_factory=dict)
    basis: Basis = Basis.ITEMS
    member_free_over: Mapping[Tier, int] = field(default_factory=dict)
    unknown_grams: int | None = None  # what a SKU of no published weight counts for

    def threshold(self, tier: Tier) -> tuple[int, Tier | None] | None:
        """The lowest goods amount that ships free for a member of `tier`, and the tier whose
        threshold it is (None: the template's own); None when nothing ships free."""
        rank = TIERS.index(tier)
        offers = [(self.free_over, None)] if self.free_over is not None else []
        offers += [(v, t) for t, v in self.member_free_over.items() if TIERS.index(t) <= rank]
        return min(offers, key=lambda offer: offer[0]) if offers else None


@dataclass(frozen=True)
class Parcel:
    """What is shipped: units, and grams when every line's weight is known (or defaulted)."""

    items: int
    grams: int | None


@dataclass(frozen=True)
class Shipping:
    fee: int
    rule: str


def parcel(freight: Freight, lines: Sequence[tuple[int | None, int]]) -> Parcel:
    """The parcel of `(grams per unit or None, quantity)` lines. A template by weight needs
    every weight: a SKU the catalog published no weight for counts the template's
    `unknown_grams`, or, without it, is a 422 naming its line."""
    items = sum(quantity for _, quantity in lines)
    if freight.basis != Basis.WEIGHT:
        return Parcel(items, None)
    grams = 0
    for index, (unit, quantity) in enumerate(lines):
        if unit is None:
            if freight.unknown_grams is None:
                raise InvalidInput(
                    f"body.lines.{index}.sku_id",
                    f"{freight.name} charges by weight, and this SKU's weight is unknown",
                )
            unit = freight.unknown_grams
        grams += unit * quantity
    return Parcel(items, grams)


def shipping(
    freight: Freight, region: str, parcel: Parcel, goods: int, tier: Tier = Tier.REGULAR
) -> Shipping:
    """The fee for `parcel` worth `goods` (minor units, before coupons) to `region`, for a
    member of `tier`; a 422 naming the region when the template does not deliver there."""
    if region in freight.excluded:
        raise InvalidInput(REGION, f"{freight.name} does not deliver to {region}")
    rate = next((r for r in freight.rates if region in r.regions), freight.default)
    where = region if rate.regions else "the default rate"
    threshold = freight.threshold(tier)
    if threshold is not None and goods >= threshold[0]:
        members = f" for {threshold[1]} members" if threshold[1] is not None else ""
        fee, rule = 0, f"{freight.name}: free over {threshold[0]}{members}"
    elif freight.basis == Basis.WEIGHT:
        fee = rate.fee(parcel.grams)
        rule = (
            f"{freight.name}: {where}, {parcel.grams} g: {rate.first_fee} for the first "
            f"{rate.first} g, {rate.extra_fee} per {rate.extra} g more"
        )
    else:
        fee = rate.fee(parcel.items)
        rule = (
            f"{freight.name}: {where}, {parcel.items} items: {rate.first_fee} for the first "
            f"{rate.first}, {rate.extra_fee} per {rate.extra} more"
        )
    if (surcharge := freight.surcharges.get(region)) is not None:
        fee, rule = fee + surcharge, f"{rule}; remote surcharge {surcharge}"
    return Shipping(fee, rule)
