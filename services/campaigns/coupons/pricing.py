"""Coupon pricing and stacking, as pure functions: what a coupon takes off a cart, whether
it applies and why not, and the best combination a customer's coupons allow.

Rules (the storefront shows them to customers, so they are deliberately simple):
- A coupon covers the cart lines in its scope: every line, or those of its SKUs, categories
  or brands, minus its excluded SKUs. Its threshold (满) is measured on the covered lines
  at their prices before any coupon.
- Amount-off coupons (fixed, threshold 满减) apply first, then percent-off ones on what is
  left of their lines (so "¥40 off, then 10% off" never discounts the ¥40 twice); free
  shipping takes the shipping fee.
- At most one coupon per stacking group in one order. The best combination is the one that
  takes off the most; on a tie, the one using fewer coupons (the customer keeps the rest).
- A discount never exceeds what its lines (or the shipping fee) cost; it is split over the
  covered lines in proportion to what is left of each, exactly (largest remainder), so the
  per-line discounts add up to the coupon's.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import product
from uuid import UUID

# Enumerating combinations is exponential in the number of stacking groups; a customer's
# wallet rarely holds more than a few groups, and beyond this many combinations the weakest
# coupons are left out of the search (each reported as not the best).
MAX_COMBINATIONS = 4096


class CouponKind(StrEnum):
    FIXED = "fixed"  # ¥X off (optionally from a minimum spend)
    PERCENT = "percent"  # N% off, at most a cap
    THRESHOLD = "threshold"  # 满减: ¥X off every (or the first) ¥T spent
    FREE_SHIPPING = "free_shipping"


class CouponStatus(StrEnum):
    CLAIMED = "claimed"  # held by its customer, usable
    LOCKED = "locked"  # held for one order until it is paid or cancelled
    REDEEMED = "redeemed"  # spent on a paid order, for good
    EXPIRED = "expired"  # its validity ended while claimed, unused (the expiry loop)


class Reason(StrEnum):
    """Why a coupon does not apply to a cart."""

    NOT_FOUND = "not_found"  # not one of the customer's coupons
    IN_USE = "in_use"  # locked for another order
    USED = "used"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    CURRENCY = "currency"
    OUT_OF_SCOPE = "out_of_scope"
    BELOW_THRESHOLD = "below_threshold"
    NO_SHIPPING_FEE = "no_shipping_fee"
    STACKING = "stacking"  # another coupon of its stacking group was chosen
    NOT_BEST = "not_best"  # applies, but the best combination does better without it


@dataclass(frozen=True)
class Scope:
    sku_ids: frozenset[UUID] = frozenset()
    category_ids: frozenset[UUID] = frozenset()
    brand_ids: frozenset[UUID] = frozenset()
    excluded_sku_ids: frozenset[UUID] = frozenset()

    def covers(self, line: "Line") -> bool:
        if line.sku_id in self.excluded_sku_ids:
            return False
        if not (self.sku_ids or self.category_ids or self.brand_ids):
            return True
        return (
            line.sku_id in self.sku_ids
            or line.category_id in self.category_ids
            or line.brand_id in self.brand_ids
        )


@dataclass(frozen=True)
class Terms:
    """What a coupon template promises."""

    kind: CouponKind
    currency: str
    amount_off: int = 0
    percent_off: int = 0
    cap: int | None = None
    threshold: int = 0
    repeatable: bool = False
    scope: Scope = field(default_factory=Scope)
    stacking_group: str = "default"

    def discount(self, base: int, shipping_fee: int) -> int:
        """What the coupon takes off `base` (its lines' amount left) or off the shipping."""
        if self.kind == CouponKind.FREE_SHIPPING:
            return shipping_fee
        if self.kind == CouponKind.PERCENT:
            off = base * self.percent_off // 100
            return off if self.cap is None else min(off, self.cap)
        if self.kind == CouponKind.THRESHOLD and self.repeatable:
            return min(self.amount_off * (base // self.threshold), base)
        return min(self.amount_off, base)


@dataclass(frozen=True)
class HeldCoupon:
    """A coupon a customer holds, with the terms of its template."""

    id: UUID
    terms: Terms
    status: CouponStatus
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True)
class Line:
    sku_id: UUID
    unit_price: int
    quantity: int
    category_id: UUID | None = None
    brand_id: UUID | None = None

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Cart:
    currency: str
    lines: tuple[Line, ...]
    shipping_fee: int = 0

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class Applied:
    coupon_id: UUID
    discount: int
    shipping: bool  # the discount is off the shipping fee, not the lines


@dataclass(frozen=True)
class Quote:
    applied: tuple[Applied, ...]
    line_discounts: tuple[int, ...]  # by cart line
    shipping_discount: int
    refused: dict[UUID, Reason]

    @property
    def discount(self) -> int:
        return sum(self.line_discounts) + self.shipping_discount


def refusal(coupon: HeldCoupon, cart: Cart, at: datetime) -> Reason | None:
    """Why `coupon` cannot apply to `cart` at `at` on its own, or None if it can."""
    if coupon.status == CouponStatus.LOCKED:
        return Reason.IN_USE
    if coupon.status == CouponStatus.REDEEMED:
        return Reason.USED
    if coupon.status == CouponStatus.EXPIRED:
        return Reason.EXPIRED
    if at < coupon.valid_from:
        return Reason.NOT_YET_VALID
    if at >= coupon.valid_until:
        return Reason.EXPIRED
    terms = coupon.terms
    if terms.currency != cart.currency:
        return Reason.CURRENCY
    covered = [line for line in cart.lines if terms.scope.covers(line)]
    if not covered:
        return Reason.OUT_OF_SCOPE
    if sum(line.amount for line in covered) < max(terms.threshold, 1):
        return Reason.BELOW_THRESHOLD
    if terms.kind == CouponKind.FREE_SHIPPING and cart.shipping_fee == 0:
        return Reason.NO_SHIPPING_FEE
    return None


def price(cart: Cart, coupons: list[HeldCoupon]) -> Quote:
    """Apply `coupons` together (each must apply on its own; at most one per group)."""
    left = [line.amount for line in cart.lines]
    discounts = [0] * len(cart.lines)
    applied, shipping_discount = [], 0
    for coupon in sorted(coupons, key=_application_order):
        terms = coupon.terms
        if terms.kind == CouponKind.FREE_SHIPPING:
            off = terms.discount(0, cart.shipping_fee - shipping_discount)
            shipping_discount += off
            applied.append(Applied(coupon.id, off, shipping=True))
            continue
        covered = [i for i, line in enumerate(cart.lines) if terms.scope.covers(line)]
        base = sum(left[i] for i in covered)
        if terms.kind == CouponKind.PERCENT:
            off = terms.discount(base, 0)
        else:  # amount-off rules count the threshold on prices before coupons
            off = min(terms.discount(sum(cart.lines[i].amount for i in covered), 0), base)
        for i, share in zip(covered, split(off, [left[i] for i in covered]), strict=True):
            left[i] -= share
            discounts[i] += share
        applied.append(Applied(coupon.id, off, shipping=False))
    return Quote(tuple(applied), tuple(discounts), shipping_discount, {})


def best(cart: Cart, coupons: list[HeldCoupon], at: datetime) -> Quote:
    """The combination of `coupons` that takes the most off `cart`, and for every coupon
    left out, the reason.

    Adding a coupon never lowers the total: an amount-off coupon taking d lowers the base
    of a later percent-off one by d, which costs that one at most d. So the search takes
    one coupon from every group, then drops those that add nothing (fewer coupons used)."""
    refused: dict[UUID, Reason] = {}
    groups: dict[str, list[HeldCoupon]] = {}
    for coupon in coupons:
        if (reason := refusal(coupon, cart, at)) is not None:
            refused[coupon.id] = reason
        else:
            groups.setdefault(coupon.terms.stacking_group, []).append(coupon)
    searched = _within_search_limit(cart, groups, refused)
    chosen = max(
        (list(combo) for combo in product(*searched)),
        key=lambda combo: (price(cart, combo).discount, _ids(combo)),
        default=[],
    )
    for coupon in sorted(chosen, key=_application_order, reverse=True):
        without = [c for c in chosen if c is not coupon]
        if price(cart, without).discount == price(cart, chosen).discount:
            chosen = without
    quote = price(cart, chosen)
    used_groups = {coupon.terms.stacking_group for coupon in chosen}
    for members in groups.values():
        for coupon in members:
            if coupon not in chosen and coupon.id not in refused:
                in_use = coupon.terms.stacking_group in used_groups
                refused[coupon.id] = Reason.STACKING if in_use else Reason.NOT_BEST
    return Quote(quote.applied, quote.line_discounts, quote.shipping_discount, refused)


def exactly(cart: Cart, coupons: list[HeldCoupon], at: datetime) -> tuple[Quote | None, str]:
    """All of `coupons` on `cart`, or none: the quote, or None and why (the order saga's
    rule: an order's coupons are locked together or not at all)."""
    for coupon in coupons:
        if (reason := refusal(coupon, cart, at)) is not None:
            return None, f"coupon {coupon.id}: {reason}"
    groups = [coupon.terms.stacking_group for coupon in coupons]
    if duplicate := next((g for g in groups if groups.count(g) > 1), None):
        return None, f"two coupons of stacking group {duplicate!r}: {Reason.STACKING}"
    return price(cart, coupons), ""


def split(amount: int, weights: list[int]) -> list[int]:
    """`amount` split in proportion to `weights` in whole units that add up to it exactly
    (largest remainder); no share exceeds its weight when `amount` <= sum(weights)."""
    total = sum(weights)
    if total == 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares


def _application_order(coupon: HeldCoupon) -> tuple[int, str]:
    rank = {CouponKind.FIXED: 0, CouponKind.THRESHOLD: 0, CouponKind.PERCENT: 1}
    return rank.get(coupon.terms.kind, 2), str(coupon.id)


def _within_search_limit(cart, groups, refused) -> list[list[HeldCoupon]]:
    """Each group's candidates, the weakest left out while the combinations exceed
    MAX_COMBINATIONS (a group keeps at least its strongest)."""
    ranked = {
        name: sorted(members, key=lambda c: -price(cart, [c]).discount)
        for name, members in sorted(groups.items())
    }

    def combinations() -> int:
        count = 1
        for members in ranked.values():
            count *= len(members)
        return count

    while combinations() > MAX_COMBINATIONS:
        largest = max(ranked.values(), key=len)
        refused[largest.pop().id] = Reason.NOT_BEST
    return list(ranked.values())


def _ids(combo: list[HeldCoupon]) -> tuple[str, ...]:
    """A last tie-break, so the same wallet always gets the same answer."""
    return tuple(sorted((str(c.id) for c in combo), reverse=True))
