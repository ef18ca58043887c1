"""Campaign prices in a cart, as pure rules (the best-price rule).

- A line takes a campaign's price only below the price it comes at (a flash, group or
  bargain price already lower stays), in the cart's currency.
- A flash line keeps its flash price, even above a campaign price: the flash reservation
  sells at that price (the saga holds it only for an order at it), so its SKU is `kept`.
- Campaign prices never add up: of the running campaigns pricing a SKU, the lowest price
  wins (on a tie, the campaign with the lower id, so the answer is stable).
- A campaign whose budget is exhausted prices nothing (the list price, or another
  campaign's price, applies): each of its prices would spend money it no longer has. It
  prices again once a release makes room.
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


def best(
    cart: Cart,
    offers: Iterable[Offer],
    kept: frozenset[UUID] = frozenset(),
    exhausted: frozenset[UUID] = frozenset(),
) -> tuple[Offer | None, ...]:
    """For each line of `cart`, the offer it takes, or None (always None for a line of a
    SKU in `kept`: a flash line). Offers of the campaigns in `exhausted` (whose budgets are)
    are not taken."""
    by_sku: dict[UUID, list[Offer]] = {}
    for offer in offers:
        if offer.campaign_id not in exhausted:
            by_sku.setdefault(offer.sku_id, []).append(offer)
    chosen = []
    for line in cart.lines:
        if line.sku_id in kept:
            chosen.append(None)
            continue
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


def taken(
    listed: Cart,
    offers: Iterable[Offer],
    charged: tuple[int, ...],
    kept: frozenset[UUID] = frozenset(),
    exhausted: frozenset[UUID] = frozenset(),
) -> tuple[Offer | None, ...]:
    """For each line of an order (`listed`: at its list prices, charged `charged`), the offer
    it was charged at: the one `best` gives it now, or, where it was charged another price,
    the one `best` gives with no budget exhausted (the order was quoted before a budget it
    took from ran out: it sold at that campaign's price, which its budget is charged for).
    Neither: None."""
    offers = tuple(offers)
    now = best(listed, offers, kept, exhausted)
    before = best(listed, offers, kept) if exhausted else now
    return tuple(
        current if current is not None and current.unit_price == unit_price else earlier
        for current, earlier, unit_price in zip(now, before, charged, strict=True)
    )


def gaps(
    listed: Cart,
    chosen: tuple[Offer | None, ...],
    charged: tuple[int, ...],
    attributed: Iterable[UUID],
) -> dict[UUID, int]:
    """What each campaign's prices took off an order: per line the order charged at the
    price of the offer it takes from its list price (`listed`, `chosen` by `taken`) and
    named by the order (`attributed`), the list price minus that price, times the quantity;
    summed per campaign. A line charged at another price (a deal's, a flash price, a price
    the campaign no longer has) took nothing of the campaign's."""
    named = set(attributed)
    taken: dict[UUID, int] = {}
    for line, offer, unit_price in zip(listed.lines, chosen, charged, strict=True):
        if offer is None or offer.campaign_id not in named or offer.unit_price != unit_price:
            continue
        gap = (line.unit_price - unit_price) * line.quantity
        taken[offer.campaign_id] = taken.get(offer.campaign_id, 0) + gap
    return taken
