"""Pricing a cart live (pure): today's offers, a total only when it means something."""

from collections.abc import Mapping, Sequence
from uuid import UUID

from services.orders.carts.schemas import CartLineOut, CartOut
from services.orders.prices import amounts
from services.orders.prices.offers import Offer, refusal


def price_cart(lines: Sequence[tuple[UUID, int]], offers: Mapping[UUID, Offer]) -> CartOut:
    """`lines` are (sku, quantity) oldest first; `offers` what each SKU offers now (an
    unknown SKU is absent). A line that cannot be ordered now shows why and no price (or no
    line total, when its units cost more than the money limit holds); the total is None
    then, when the currencies differ, or when the sum is beyond the money limit."""
    priced = []
    for sku_id, quantity in lines:
        why = refusal(sku_id, offer := offers.get(sku_id))
        price = None if why is not None else offer.price
        total = amounts.times(price, quantity) if price else None
        if price is not None and total is None:
            why = amounts.beyond(f"{quantity} units at {price.amount} {price.currency}")
        priced.append(
            CartLineOut(
                sku_id=sku_id,
                quantity=quantity,
                unit_price=price,
                line_total=total,
                unavailable=why,
            )
        )
    totals = [line.line_total for line in priced]
    currencies = {t.currency for t in totals if t is not None}
    if not priced or None in totals or len(currencies) != 1:
        return CartOut(lines=priced, total=None)
    return CartOut(lines=priced, total=amounts.total(totals, currencies.pop()))
