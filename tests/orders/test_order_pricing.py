"""Pricing rules: catalog prices only, known and priced products only, one currency."""

import pytest

from chassis.ids import new_id
from chassis.money import Money
from services.orders.checkout.pricing import LineRejected, price_order

TEA, CUP, MUG, DRAFT = new_id(), new_id(), new_id(), new_id()
PRICES = {
    TEA: Money(amount=1999, currency="CNY"),
    CUP: Money(amount=500, currency="CNY"),
    MUG: Money(amount=800, currency="USD"),
    DRAFT: None,
}


def test_lines_take_catalog_prices_and_the_total_sums_them():
    priced = price_order([(TEA, 2), (CUP, 3)], PRICES)
    assert [(line.sku_id, line.quantity, line.unit_price) for line in priced.lines] == [
        (TEA, 2, PRICES[TEA]),
        (CUP, 3, PRICES[CUP]),
    ]
    assert priced.total == Money(amount=2 * 1999 + 3 * 500, currency="CNY")


def test_the_same_product_on_two_lines_is_priced_on_each():
    assert price_order([(TEA, 1), (TEA, 1)], PRICES).total.amount == 2 * 1999


@pytest.mark.parametrize(
    ("lines", "bad_line", "reason"),
    [
        ([(TEA, 1), (new_id(), 1)], 1, "not a known product"),
        ([(DRAFT, 1)], 0, "has no price"),
        ([(TEA, 1), (CUP, 1), (MUG, 1)], 2, "one currency"),
    ],
)
def test_a_line_that_cannot_be_priced_is_named(lines, bad_line, reason):
    with pytest.raises(LineRejected) as raised:
        price_order(lines, PRICES)
    (error,) = raised.value.extra["errors"]
    assert error["field"] == f"body.lines.{bad_line}.product_id"
    assert reason in error["message"]
    assert raised.value.status == 422


def test_an_order_without_lines_is_refused():
    with pytest.raises(ValueError, match="at least one line"):
        price_order([], PRICES)
