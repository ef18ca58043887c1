"""Pricing an order: unit prices from the catalog's read model (never from the client), then
at the campaign prices and with the coupon discounts campaigns' quote gives."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from chassis.http.problems import InvalidInput
from chassis.money import Money
from contracts.orders import OrderLine
from services.orders.deals.rules import Deal
from services.orders.prices import amounts
from services.orders.prices.offers import Offer, refusal


class LineRejected(InvalidInput):
    """A line that cannot be priced; the 422 names that line's SKU."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"body.lines.{index}.sku_id", message)


@dataclass(frozen=True)
class PricedOrder:
    lines: list[OrderLine]
    total: Money  # what the lines pay, and the shipping fee
    shipping_fee: Money | None = None
    shipping_rule: str | None = None
    campaign_ids: tuple[UUID, ...] = ()  # the campaigns whose prices the lines are charged


def with_shipping(priced: PricedOrder, fee: Money, rule: str) -> PricedOrder:
    """The order with its shipping fee (and the rule that set it) added to its total."""
    total = amounts.total([priced.total, fee], fee.currency)
    if total is None:
        raise InvalidInput("body.lines", amounts.beyond("the order's total with shipping"))
    return PricedOrder(priced.lines, total, fee, rule, priced.campaign_ids)


def at_quoted_prices(
    priced: PricedOrder, quoted: Sequence[tuple[Money, UUID | None]]
) -> PricedOrder:
    """The order's lines (not yet shipped: no fee) at the unit prices campaigns' quote gave,
    `(unit_price, campaign_id)` per line: a running campaign's price where it is below the
    price the line came at (its list price, or its group buy's or bargain's price), that
    price otherwise. `list_price` stays the catalog's. The campaigns behind the prices go to
    the order's attribution. A quote that would raise a line's price, price it at nothing, in
    another currency, or lower it without naming the campaign is not to be trusted
    (ValueError)."""
    if priced.shipping_fee is not None:
        raise ValueError("campaign prices come before shipping")
    if len(quoted) != len(priced.lines):
        raise ValueError("a quoted price per line")
    lines, campaigns = [], []
    for line, (price, campaign_id) in zip(priced.lines, quoted, strict=True):
        check_quoted(line.unit_price, price, campaign_id)
        if price.amount == line.unit_price.amount:
            lines.append(line)
            continue
        paid = Money(amount=price.amount * line.quantity, currency=price.currency)
        lines.append(line.model_copy(update={"unit_price": price, "paid": paid}))
        if campaign_id not in campaigns:
            campaigns.append(campaign_id)
    total = Money(amount=sum(line.paid.amount for line in lines), currency=priced.total.currency)
    return PricedOrder(lines, total, campaign_ids=tuple(campaigns))


def check_quoted(came_at: Money, price: Money, campaign_id: UUID | None) -> None:
    """A line that came at `came_at` and was quoted at `price` by `campaign_id`: a quote that
    raises the price, prices it at nothing or in another currency, or lowers it without
    naming the campaign is not to be trusted (ValueError)."""
    if price.currency != came_at.currency or not 0 < price.amount <= came_at.amount:
        raise ValueError(f"a line at {came_at.amount} {came_at.currency} quoted at {price}")
    if price.amount < came_at.amount and campaign_id is None:
        raise ValueError(f"a line at {came_at.amount} quoted lower by no campaign")


def unquoted_refusal(coupon_ids: Sequence[UUID], pricing: Sequence[UUID]) -> str | None:
    """Why an order campaigns could not quote may not go at the catalog's (or its deal's)
    price, or None when it may: it has no coupons (only campaigns can price them) and none of
    its SKUs is under a campaign that could be pricing it now (`pricing`, from the read model
    of campaigns' calendar), so the price it goes at is the one campaigns would have quoted."""
    if coupon_ids:
        return "The coupons cannot be checked now"
    if pricing:
        return f"The order's SKUs are on campaign {pricing[0]}, whose prices cannot be had now"
    return None


def price_order(
    requested: Sequence[tuple[UUID, int]],
    offers: Mapping[UUID, Offer],
    deal: Deal | None = None,
) -> PricedOrder:
    """Price `(sku_id, quantity)` lines. `offers` holds what every SKU the catalog told us
    about offers now (an unknown SKU is absent); a line whose SKU cannot be ordered (unknown,
    delisted, no longer sold, unpriced) is refused. One order has one currency. A `deal` (a
    group buy's or a bargain's price) prices its SKU's line instead of the list price."""
    if not requested:
        raise ValueError("an order needs at least one line")
    lines: list[OrderLine] = []
    for index, (sku_id, quantity) in enumerate(requested):
        offer = offers.get(sku_id)
        if (why := refusal(sku_id, offer)) is not None:
            raise LineRejected(index, why)
        price = list_price = offer.price
        if deal is not None and deal.sku_id == sku_id:
            if deal.unit_price.currency != list_price.currency:
                raise LineRejected(index, f"the deal's price is in {deal.unit_price.currency}")
            price = deal.unit_price
        if lines and price.currency != lines[0].unit_price.currency:
            raise LineRejected(
                index,
                f"is priced in {price.currency} but line 0 in {lines[0].unit_price.currency};"
                " an order is paid in one currency",
            )
        if (paid := amounts.times(price, quantity)) is None:
            raise InvalidInput(
                f"body.lines.{index}.quantity", amounts.beyond(f"{quantity} units at this price")
            )
        lines.append(
            OrderLine(
                sku_id=sku_id, quantity=quantity, list_price=list_price, unit_price=price, paid=paid
            )
        )
    total = amounts.total((line.paid for line in lines), lines[0].paid.currency)
    if total is None:
        raise InvalidInput("body.lines", amounts.beyond("the order's total"))
    return PricedOrder(lines, total)


def with_coupons(
    priced: PricedOrder,
    coupon_ids: Sequence[UUID],
    line_discounts: Sequence[int],
    not_applied: Mapping[UUID, str],
    shipping_discount: int = 0,
) -> PricedOrder:
    """The order with campaigns' coupon discounts taken off its lines (each line keeps its
    share, `coupon_discount`, so a refund later is exact). Every chosen coupon must apply: one
    that does not is refused naming it, with campaigns' reason. A free-shipping coupon's
    `shipping_discount` comes off the shipping fee."""
    for index, coupon_id in enumerate(coupon_ids):
        if (reason := not_applied.get(coupon_id)) is not None:
            raise InvalidInput(
                f"body.coupon_ids.{index}", f"does not apply to this order: {reason}"
            )
    if len(line_discounts) != len(priced.lines):
        raise ValueError("a discount per line")
    lines = []
    for line, off in zip(priced.lines, line_discounts, strict=True):
        if not 0 <= off <= line.paid.amount:
            raise ValueError(f"a discount of {off} on a line of {line.paid.amount}")
        currency = line.paid.currency
        lines.append(
            line.model_copy(
                update={
                    "coupon_discount": Money(amount=off, currency=currency) if off else None,
                    "paid": Money(amount=line.paid.amount - off, currency=currency),
                }
            )
        )
    currency, fee = priced.total.currency, priced.shipping_fee
    if not 0 <= shipping_discount <= (fee.amount if fee else 0):
        raise ValueError(f"a discount of {shipping_discount} on shipping of {fee}")
    if fee is not None:
        fee = Money(amount=fee.amount - shipping_discount, currency=currency)
    paid = sum(line.paid.amount for line in lines) + (fee.amount if fee else 0)
    return PricedOrder(
        lines, Money(amount=paid, currency=currency), fee, priced.shipping_rule, priced.campaign_ids
    )
