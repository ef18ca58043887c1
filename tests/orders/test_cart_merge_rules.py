"""The merge of an anonymous cart into a customer's (pure): quantities summed and capped, new
lines while there is room, what cannot be ordered left out, each left-out unit accounted for."""

from chassis.ids import new_id
from chassis.money import MAX_AMOUNT, Money
from services.orders.carts.merging import CAPPED, FULL, Held, merged
from services.orders.carts.schemas import MAX_LINES, MAX_QUANTITY, LeftOutLine
from services.orders.prices.offers import Offer


def offer(sku, amount: int = 100, listing: str | None = "listed") -> Offer:
    price = Money(amount=amount, currency="CNY")
    return Offer(sku_id=sku, product_id=sku, present=True, listing=listing, price=price)


def price(amount: int = 100) -> Money:
    return Money(amount=amount, currency="CNY")


def test_a_sku_in_both_carts_sums_its_quantities_and_a_new_one_takes_a_line():
    tea, mug = new_id(), new_id()
    merge = merged({tea: 2}, [(tea, 3), (mug, 1)], {tea: offer(tea), mug: offer(mug, 80)})
    assert merge.held == [Held(tea, 5, price(), new=False), Held(mug, 1, price(80), new=True)]
    assert merge.left_out == []


def test_the_sum_is_capped_at_the_quantity_limit_and_the_units_beyond_are_left_out():
    tea, full = new_id(), new_id()
    merge = merged(
        {tea: 990, full: MAX_QUANTITY}, [(tea, 20), (full, 5)], {tea: offer(tea), full: offer(full)}
    )
    assert merge.held == [Held(tea, MAX_QUANTITY, price(), new=False)]
    assert merge.left_out == [
        LeftOutLine(sku_id=tea, quantity=11, reason=CAPPED),
        LeftOutLine(sku_id=full, quantity=5, reason=CAPPED),
    ]


def test_new_lines_stop_at_the_sku_limit_in_the_anonymous_carts_order_but_sums_go_on():
    held = {new_id(): 1 for _ in range(MAX_LINES - 1)}
    first, second, known = new_id(), new_id(), next(iter(held))
    offers = {sku: offer(sku) for sku in (first, second, known)}
    merge = merged(held, [(first, 1), (second, 2), (known, 4)], offers)
    assert merge.held == [Held(first, 1, price(), new=True), Held(known, 5, price(), new=False)]
    assert merge.left_out == [LeftOutLine(sku_id=second, quantity=2, reason=FULL)]


def test_what_cannot_be_ordered_now_is_left_out_whole_and_the_customers_line_stays():
    delisted, unknown, dear = new_id(), new_id(), new_id()
    offers = {delisted: offer(delisted, listing="delisted"), dear: offer(dear, MAX_AMOUNT // 3)}
    merge = merged({delisted: 1, dear: 2}, [(delisted, 2), (unknown, 1), (dear, 2)], offers)
    assert merge.held == []
    assert [(line.sku_id, line.quantity) for line in merge.left_out] == [
        (delisted, 2),
        (unknown, 1),
        (dear, 2),
    ]
    assert merge.left_out[0].reason == f"{delisted} was delisted: it is not on sale"
    assert merge.left_out[1].reason == f"{unknown} is not a SKU the catalog sells"
    assert merge.left_out[2].reason.endswith(
        "would exceed the money limit (9007199254740991 minor units)"
    )


def test_an_empty_anonymous_cart_changes_nothing():
    tea = new_id()
    assert merged({tea: 1}, [], {}).held == []
