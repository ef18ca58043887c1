"""Freight templates' fee rule (pure): by region and item count, free over a threshold,
remote regions excluded or surcharged, the rule said; and a free-shipping discount."""

import pytest

from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.money import Money
from services.orders.checkout.pricing import price_order, with_coupons, with_shipping
from services.orders.prices.offers import Offer
from services.orders.shipping.rules import Freight, Rate, shipping

FREIGHT = Freight(
    name="江浙沪包邮",
    default=Rate(first_items=1, first_fee=1000, extra_items=2, extra_fee=500),
    rates=(Rate(1, 0, 1, 0, regions=frozenset({"CN-ZJ", "CN-SH"})),),
    free_over=9900,
    excluded=frozenset({"CN-XZ"}),
    surcharges={"CN-XJ": 2000},
)


@pytest.mark.parametrize(
    ("region", "items", "goods", "fee"),
    [
        ("CN-ZJ", 5, 100, 0),  # its region's rate
        ("CN-BJ", 1, 100, 1000),  # the default: first item
        ("CN-BJ", 2, 100, 1500),  # one more begins a group of two
        ("CN-BJ", 3, 100, 1500),
        ("CN-BJ", 4, 100, 2000),
        ("CN-BJ", 4, 9900, 0),  # free over the threshold
        ("CN-XJ", 1, 100, 3000),  # remote: surcharged
        ("CN-XJ", 1, 9900, 2000),  # ... even when the rest is free
    ],
)
def test_the_fee_by_region_items_and_threshold(region, items, goods, fee):
    assert shipping(FREIGHT, region, items, goods).fee == fee


def test_the_rule_says_what_set_the_fee():
    assert shipping(FREIGHT, "CN-BJ", 2, 100).rule == (
        "江浙沪包邮: the default rate, 2 items: 1000 for the first 1, 500 per 2 more"
    )
    assert (
        shipping(FREIGHT, "CN-XJ", 1, 9900).rule
        == "江浙沪包邮: free over 9900; remote surcharge 2000"
    )


def test_an_excluded_region_is_a_422_naming_it():
    with pytest.raises(InvalidInput) as raised:
        shipping(FREIGHT, "CN-XZ", 1, 100)
    assert raised.value.extra["errors"][0]["field"] == "body.shipping_address.region"


def test_a_free_shipping_discount_takes_the_fee_off_the_total():
    sku = new_id()
    price = Money(amount=2000, currency="CNY")
    offers = {sku: Offer(sku_id=sku, product_id=sku, present=True, listing="listed", price=price)}
    priced = with_shipping(
        price_order([(sku, 1)], offers), Money(amount=1000, currency="CNY"), "rule"
    )
    assert priced.total.amount == 3000
    free = with_coupons(priced, [new_id()], [0], {}, shipping_discount=1000)
    assert (free.shipping_fee.amount, free.total.amount, free.shipping_rule) == (0, 2000, "rule")
    with pytest.raises(ValueError, match="on shipping"):
        with_coupons(priced, [new_id()], [0], {}, shipping_discount=1001)
