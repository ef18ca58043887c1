"""Pricing rules: the catalog's prices only, SKUs that can be ordered now only, one currency."""

import pytest

from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.money import Money
from services.orders.checkout.pricing import LineRejected, price_order, with_coupons
from services.orders.prices.offers import Offer

TEA, CUP, MUG, UNPRICED, DELISTED, GONE = (new_id() for _ in range(6))


def _offer(sku, price: Money | None, *, listing: str | None = "listed", present=True) -> Offer:
    return Offer(sku_id=sku, product_id=new_id(), present=present, listing=listing, price=price)


CNY_1999 = Money(amount=1999, currency="CNY")
OFFERS = {
    TEA: _offer(TEA, CNY_1999),
    CUP: _offer(CUP, Money(amount=500, currency="CNY"), listing=None),  # state not told yet
    MUG: _offer(MUG, Money(amount=800, currency="USD")),
    UNPRICED: _offer(UNPRICED, None),
    DELISTED: _offer(DELISTED, CNY_1999, listing="delisted"),
    GONE: _offer(GONE, CNY_1999, present=False),
}


def test_lines_take_catalog_prices_and_the_total_sums_them():
    priced = price_order([(TEA, 2), (CUP, 3)], OFFERS)
    assert [(line.sku_id, line.quantity, line.unit_price) for line in priced.lines] == [
        (TEA, 2, CNY_1999),
        (CUP, 3, Money(amount=500, currency="CNY")),
    ]
    assert priced.total == Money(amount=2 * 1999 + 3 * 500, currency="CNY")


def test_the_same_sku_on_two_lines_is_priced_on_each():
    assert price_order([(TEA, 1), (TEA, 1)], OFFERS).total.amount == 2 * 1999


@pytest.mark.parametrize(
    ("lines", "bad_line", "reason"),
    [
        ([(TEA, 1), (new_id(), 1)], 1, "is not a SKU the catalog sells"),
        ([(UNPRICED, 1)], 0, "has no price yet"),
        ([(TEA, 1), (DELISTED, 1)], 1, "was delisted"),
        ([(GONE, 1)], 0, "no longer one of its product's SKUs"),
        ([(TEA, 1), (CUP, 1), (MUG, 1)], 2, "one currency"),
    ],
)
def test_a_line_that_cannot_be_ordered_is_named(lines, bad_line, reason):
    with pytest.raises(LineRejected) as raised:
        price_order(lines, OFFERS)
    (error,) = raised.value.extra["errors"]
    assert error["field"] == f"body.lines.{bad_line}.sku_id"
    assert reason in error["message"]
    assert raised.value.status == 422


def test_an_order_without_lines_is_refused():
    with pytest.raises(ValueError, match="at least one line"):
        price_order([], OFFERS)


def test_coupon_discounts_come_off_their_lines_and_the_total():
    priced = price_order([(TEA, 2), (CUP, 1)], OFFERS)
    coupon = new_id()
    discounted = with_coupons(priced, [coupon], [300, 200], {})
    assert [(x.coupon_discount, x.paid.amount) for x in discounted.lines] == [
        (Money(amount=300, currency="CNY"), 2 * 1999 - 300),
        (Money(amount=200, currency="CNY"), 500 - 200),
    ]
    assert discounted.total.amount == 2 * 1999 + 500 - 500
    untouched = with_coupons(priced, [coupon], [0, 0], {})
    assert [x.coupon_discount for x in untouched.lines] == [None, None]
    assert untouched.total == priced.total


def test_a_chosen_coupon_that_does_not_apply_is_named_with_the_reason():
    priced = price_order([(TEA, 1)], OFFERS)
    applies, refused = new_id(), new_id()
    with pytest.raises(InvalidInput) as raised:
        with_coupons(priced, [applies, refused], [0], {refused: "expired"})
    (error,) = raised.value.extra["errors"]
    assert (error["field"], error["message"]) == (
        "body.coupon_ids.1",
        "does not apply to this order: expired",
    )


@pytest.mark.parametrize("discounts", [[2000], [-1], [1, 1]])
def test_a_quote_that_does_not_fit_the_lines_is_not_taken(discounts):
    with pytest.raises(ValueError, match="a discount"):
        with_coupons(price_order([(TEA, 1)], OFFERS), [new_id()], discounts, {})
