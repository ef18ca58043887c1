"""Pricing an order: unit prices from the catalog's price list, never from the client."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from chassis.http.problems import InvalidInput
from chassis.money import Money
from contracts.orders import OrderLine


class LineRejected(InvalidInput):
    """A line that cannot be priced; the 422 names that line's product."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"body.lines.{index}.product_id", message)


@dataclass(frozen=True)
class PricedOrder:
    lines: list[OrderLine]
    total: Money


def price_order(
    requested: Sequence[tuple[UUID, int]], price_list: Mapping[UUID, Money | None]
) -> PricedOrder:
    """Price `(product_id, quantity)` lines. `price_list` maps every product the catalog has
    told us about to its price, or to None while it has none. One order has one currency."""
    if not requested:
        raise ValueError("an order needs at least one line")
    lines: list[OrderLine] = []
    for index, (product_id, quantity) in enumerate(requested):
        if product_id not in price_list:
            raise LineRejected(index, f"{product_id} is not a known product")
        price = price_list[product_id]
        if price is None:
            raise LineRejected(index, f"{product_id} has no price yet, so it cannot be ordered")
        if lines and price.currency != lines[0].unit_price.currency:
            raise LineRejected(
                index,
                f"is priced in {price.currency} but line 0 in {lines[0].unit_price.currency};"
                " an order is paid in one currency",
            )
        paid = Money(amount=price.amount * quantity, currency=price.currency)
        lines.append(
            OrderLine(
                sku_id=product_id, quantity=quantity, list_price=price, unit_price=price, paid=paid
            )
        )
    total = sum(line.unit_price.amount * line.quantity for line in lines)
    return PricedOrder(lines, Money(amount=total, currency=lines[0].unit_price.currency))
