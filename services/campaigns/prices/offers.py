"""Campaign prices in a cart, as pure rules (the best-price rule).

- A line takes a campaign's price only below the price it comes at (a flash, group or
  bargain price already lower stays), in the cart's currency.
- Campaign prices never add up: of the running campaigns pricing a SKU, the lowest price
  wins (on a tie, the campaign with the lower id, so the answer is stable).
- Coupons come after, on the lines at their campaign prices: a coupon's threshold counts
  what the customer pays for the line before coupons (the quote in `coupons/pricing.py`)."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from uuid import UUID

from services.campaigns.coupons.pricing import Cart


@dataclass(frozen=True)
class Offer:
    campaign_id: UUID
    sku_id: UUID
    unit_price: int


def best(cart: Cart, offers: Iterable[Offer]) -> tuple[Offer | None, ...]:
    """For each line of `cart`, the offer it takes, or None."""
    by_sku: dict[UUID, list[Offer]] = {}
    for offer in offers:
        by_sku.setdefault(offer.sku_id, []).append(offer)
    chosen = []
    for line in cart.lines:
        below = [o for o in by_sku.get(line.sku_id, ()) if o.unit_price < line.unit_price]
        chosen.append(min(below, key=lambda o: (o.unit_price, o.campaign_id), default=None))
    return tuple(chosen)


def at_offers(cart: Cart, chosen: tuple[Offer | None, ...]) -> Cart:
    """`cart` with each line at the price of the offer it takes."""
    lines = tuple(
        line if offer is None else replace(line, unit_price=offer.unit_price)
        for line, offer in zip(cart.lines, chosen, strict=True)
    )
    return replace(cart, lines=lines)
