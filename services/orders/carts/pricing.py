"""Pricing a cart live (pure): today's offers, then campaigns' quote without coupons; a total
only when it means something."""

from collections.abc import Mapping, Sequence
from uuid import UUID

from chassis.money import Money
from services.orders.carts.schemas import CartLineOut, CartOut
from services.orders.checkout.pricing import check_quoted
from services.orders.prices import amounts
from services.orders.prices.offers import Offer, refusal


def price_cart(lines: Sequence[tuple[UUID, int]], offers: Mapping[UUID, Offer]) -> CartOut:
    """`lines` are (sku, quantity) oldest first; `offers` what each SKU offers now (an
    unknown SKU is absent). A line that cannot be ordered now shows why and no price (or no
    line total, when its units cost more than the money limit holds); the total is None
    then, when the currencies differ, or when the sum is beyond the money limit. The prices
    are the list prices, not confirmed (`at_quoted_prices` confirms them) unless no line has
    one: there is nothing campaigns could price."""
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
                list_price=price,
                unit_price=price,
                campaign_id=None,
                line_total=total,
                unavailable=why,
            )
        )
    return _totalled(priced, confirmed=not quotable(priced))


def quotable(cart_lines: Sequence[CartLineOut]) -> list[CartLineOut]:
    """The lines campaigns is asked to price: those that can be ordered, at their list price."""
    return [line for line in cart_lines if line.line_total is not None]


def at_quoted_prices(cart: CartOut, quoted: Sequence[tuple[Money, UUID | None]]) -> CartOut:
    """The cart (as `price_cart` priced it) at campaigns' quote of its `quotable` lines,
    `(unit_price, campaign_id)` each, in their order: a running campaign's price where it is
    below the list price. A quote checkout would not trust (`check_quoted`) is a ValueError;
    the cart then stays at its list prices, unconfirmed."""
    asked = quotable(cart.lines)
    if len(quoted) != len(asked):
        raise ValueError("a quoted price per line")
    prices = dict(zip((line.sku_id for line in asked), quoted, strict=True))
    lines = []
    for line in cart.lines:
        if line.sku_id not in prices:
            lines.append(line)
            continue
        price, campaign_id = prices[line.sku_id]
        check_quoted(line.list_price, price, campaign_id)
        if price.amount == line.list_price.amount:
            lines.append(line)
            continue
        total = Money(amount=price.amount * line.quantity, currency=price.currency)
        lines.append(
            line.model_copy(
                update={"unit_price": price, "campaign_id": campaign_id, "line_total": total}
            )
        )
    return _totalled(lines, confirmed=True)


def _totalled(lines: list[CartLineOut], *, confirmed: bool) -> CartOut:
    campaigns = list(dict.fromkeys(line.campaign_id for line in lines if line.campaign_id))
    totals = [line.line_total for line in lines]
    currencies = {t.currency for t in totals if t is not None}
    total = None
    if lines and None not in totals and len(currencies) == 1:
        total = amounts.total(totals, currencies.pop())
    return CartOut(lines=lines, total=total, campaign_ids=campaigns, prices_confirmed=confirmed)
