"""Merging an anonymous cart into a customer's (pure): what each line becomes, what is left
out and why."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from chassis.money import Money
from services.orders.carts.schemas import MAX_LINES, MAX_QUANTITY, LeftOutLine
from services.orders.prices import amounts
from services.orders.prices.offers import Offer, refusal

FULL = f"the cart holds at most {MAX_LINES} SKUs"
CAPPED = f"a line holds at most {MAX_QUANTITY} units"


@dataclass(frozen=True)
class Held:
    """A SKU the merge puts in the customer's cart at `quantity` (`new`: a line of its own)."""

    sku_id: UUID
    quantity: int
    unit_price: Money
    new: bool


@dataclass
class Merge:
    held: list[Held] = field(default_factory=list)
    left_out: list[LeftOutLine] = field(default_factory=list)


def merged(
    cart: Mapping[UUID, int], incoming: Sequence[tuple[UUID, int]], offers: Mapping[UUID, Offer]
) -> Merge:
    """The customer's `cart` (SKU → quantity) with the anonymous cart's lines (`incoming`,
    oldest first) added: a SKU in both sums its quantities, capped at MAX_QUANTITY (the units
    beyond are left out); a new SKU takes a line while the cart has fewer than MAX_LINES, in
    the anonymous cart's order (later ones are left out); a SKU that cannot be ordered now,
    or whose summed units cost more than the money limit holds, is left out whole and the
    customer's line stays as it was."""
    merge, size = Merge(), len(cart)
    for sku_id, quantity in incoming:
        offer = offers.get(sku_id)
        if (why := refusal(sku_id, offer)) is not None:
            merge.left_out.append(LeftOutLine(sku_id=sku_id, quantity=quantity, reason=why))
            continue
        before = cart.get(sku_id, 0)
        total = min(MAX_QUANTITY, before + quantity)
        if amounts.times(offer.price, total) is None:
            why = amounts.beyond(f"{total} units at {offer.price.amount} {offer.price.currency}")
            merge.left_out.append(LeftOutLine(sku_id=sku_id, quantity=quantity, reason=why))
            continue
        if sku_id not in cart:
            if size >= MAX_LINES:
                merge.left_out.append(LeftOutLine(sku_id=sku_id, quantity=quantity, reason=FULL))
                continue
            size += 1
        if total < before + quantity:
            capped = before + quantity - total
            merge.left_out.append(LeftOutLine(sku_id=sku_id, quantity=capped, reason=CAPPED))
        if total > before:
            merge.held.append(Held(sku_id, total, offer.price, new=sku_id not in cart))
    return merge
