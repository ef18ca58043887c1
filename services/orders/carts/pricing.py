"""Pricing a cart live (pure): today's list prices, a total only when it means something."""

from collections.abc import Mapping, Sequence
from uuid import UUID

from chassis.money import Money
from services.orders.carts.schemas import CartLineOut, CartOut


def price_cart(lines: Sequence[tuple[UUID, int]], prices: Mapping[UUID, Money | None]) -> CartOut:
    """`lines` are (sku, quantity) oldest first; `prices` today's list prices (an unknown SKU
    is absent). The total is None when a line has no price or the currencies differ."""
    priced = []
    for sku_id, quantity in lines:
        price = prices.get(sku_id)
        total = Money(amount=price.amount * quantity, currency=price.currency) if price else None
        priced.append(
            CartLineOut(sku_id=sku_id, quantity=quantity, unit_price=price, line_total=total)
        )
    totals = [line.line_total for line in priced]
    currencies = {t.currency for t in totals if t is not None}
    if not priced or None in totals or len(currencies) != 1:
        return CartOut(lines=priced, total=None)
    return CartOut(
        lines=priced,
        total=Money(amount=sum(t.amount for t in totals), currency=currencies.pop()),
    )
