"""Sums of money within the money limit (pure): a quantity times a price, a total.

`Money` holds at most `MAX_AMOUNT` minor units (exact in a 64-bit column and in a JavaScript
number), and the catalog may price a SKU right at that limit, so a product or a sum may not
fit: these say None then, and the caller refuses the input that made it (a 422 naming it).
"""

from collections.abc import Iterable

from chassis.money import MAX_AMOUNT, Money


def times(price: Money, quantity: int) -> Money | None:
    """`quantity` units at `price`, or None when that is beyond the money limit."""
    amount = price.amount * quantity
    return Money(amount=amount, currency=price.currency) if amount <= MAX_AMOUNT else None


def total(amounts: Iterable[Money], currency: str) -> Money | None:
    """The sum of `amounts` (all in `currency`), or None when it is beyond the money limit."""
    amount = 0
    for money in amounts:
        if money.currency != currency:
            raise ValueError(f"{money.currency} amount in a {currency} sum")
        amount += money.amount
    return Money(amount=amount, currency=currency) if amount <= MAX_AMOUNT else None


def beyond(what: str) -> str:
    return f"{what} would exceed the money limit ({MAX_AMOUNT} minor units)"
