"""Freight templates' fee rule (pure): by region and item count or weight, free over a
threshold (a lower one for member tiers), remote regions excluded or surcharged, the rule
said; and a free-shipping discount."""

from dataclasses import replace

import pytest

from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.money import Money
from contracts.users import Tier
from services.orders.checkout.pricing import price_order, with_coupons, with_shipping
from services.orders.prices.offers import Offer
from services.orders.shipping.rules import Basis, Freight, Parcel, Rate, parcel, shipping

FREIGHT = Freight(
    name="江浙沪包邮",
    default=Rate(first=1, first_fee=1000, extra=2, extra_fee=500),
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
    assert shipping(FREIGHT, region, Parcel(items, None), goods).fee == fee


def test_the_rule_says_what_set_the_fee():
    assert shipping(FREIGHT, "CN-BJ", Parcel(2, None), 100).rule == (
        "江浙沪包邮: the default rate, 2 items: 1000 for the first 1, 500 per 2 more"
    )
    assert (
        shipping(FREIGHT, "CN-XJ", Parcel(1, None), 9900).rule
        == "江浙沪包邮: free over 9900; remote surcharge 2000"
    )


def test_an_excluded_region_is_a_422_naming_it():
    with pytest.raises(InvalidInput) as raised:
        shipping(FREIGHT, "CN-XZ", Parcel(1, None), 100)
    assert raised.value.extra["errors"][0]["field"] == "body.shipping_address.region"


# 首重 1 kg 800, 续重 per 500 g 300; Zhejiang 500 for 2 kg, then 200 per kg.
BY_WEIGHT = Freight(
    name="按重量",
    basis=Basis.WEIGHT,
    default=Rate(first=1000, first_fee=800, extra=500, extra_fee=300),
    rates=(Rate(2000, 500, 1000, 200, regions=frozenset({"CN-ZJ"})),),
    free_over=20000,
    member_free_over={Tier.GOLD: 5000, Tier.SILVER: 9000},
)


@pytest.mark.parametrize(
    ("region", "grams", "fee"),
    [
        ("CN-BJ", 1, 800),  # within the first weight
        ("CN-BJ", 1000, 800),
        ("CN-BJ", 1001, 1100),  # a step of additional weight begun
        ("CN-BJ", 1500, 1100),
        ("CN-BJ", 1501, 1400),
        ("CN-ZJ", 2000, 500),  # its region's rate
        ("CN-ZJ", 3500, 900),
    ],
)
def test_the_fee_by_first_and_additional_weight(region, grams, fee):
    assert shipping(BY_WEIGHT, region, Parcel(1, grams), 100).fee == fee


def test_the_parcel_weighs_its_lines_and_the_rule_says_the_grams():
    weighed = parcel(BY_WEIGHT, [(300, 2), (450, 1)])
    assert weighed == Parcel(3, 1050)
    assert shipping(BY_WEIGHT, "CN-BJ", weighed, 100).rule == (
        "按重量: the default rate, 1050 g: 800 for the first 1000 g, 300 per 500 g more"
    )
    assert parcel(FREIGHT, [(None, 2)]) == Parcel(2, None)  # by item count: no weight needed


def test_a_sku_of_unknown_weight_counts_the_templates_default_or_is_refused():
    assert parcel(replace(BY_WEIGHT, unknown_grams=700), [(300, 1), (None, 2)]).grams == 1700
    with pytest.raises(InvalidInput) as raised:
        parcel(BY_WEIGHT, [(300, 1), (None, 2)])
    assert raised.value.extra["errors"][0]["field"] == "body.lines.1.sku_id"


@pytest.mark.parametrize(
    ("tier", "goods", "fee", "because"),
    [
        (Tier.REGULAR, 8999, 800, None),
        (Tier.REGULAR, 19999, 800, None),
        (Tier.REGULAR, 20000, 0, "free over 20000"),
        (Tier.SILVER, 8999, 800, None),
        (Tier.SILVER, 9000, 0, "free over 9000 for silver members"),
        (Tier.GOLD, 5000, 0, "free over 5000 for gold members"),
        (Tier.GOLD, 4999, 800, None),
        (Tier.PLATINUM, 5000, 0, "free over 5000 for gold members"),  # a lower tier's holds
    ],
)
def test_a_member_tier_lowers_the_free_shipping_threshold(tier, goods, fee, because):
    charged = shipping(BY_WEIGHT, "CN-BJ", Parcel(1, 900), goods, tier)
    assert charged.fee == fee
    assert (charged.rule == f"按重量: {because}") if because else "free" not in charged.rule


def test_member_thresholds_without_a_threshold_for_all():
    members_only = replace(BY_WEIGHT, free_over=None)
    assert shipping(members_only, "CN-BJ", Parcel(1, 900), 10**9).fee == 800
    assert shipping(members_only, "CN-BJ", Parcel(1, 900), 9000, Tier.SILVER).fee == 0


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
