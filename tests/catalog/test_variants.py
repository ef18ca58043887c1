"""The rules of a product's SKUs, without I/O."""

import pytest

from chassis.money import Money
from services.catalog.products.variants import Variant, VariantError, check_variants, from_price

ATTRIBUTES = {"颜色": ["红", "蓝"], "容量": ["350ml", "500ml"]}


def _sku(code, colour="红", size="350ml", amount=100, currency="CNY", cost=None) -> Variant:
    return Variant(
        code=code,
        attributes={"颜色": colour, "容量": size},
        price=Money(amount=amount, currency=currency),
        cost=cost,
    )


def test_distinct_variants_of_declared_values_pass():
    check_variants(ATTRIBUTES, [_sku("A"), _sku("B", "蓝"), _sku("C", size="500ml")])
    check_variants({}, [Variant(code="ONLY", attributes={}, price=Money(amount=1, currency="CNY"))])


@pytest.mark.parametrize(
    ("skus", "field"),
    [
        ([_sku("A"), _sku("A", "蓝")], "skus.1.code"),
        ([_sku("A"), _sku("B")], "skus.1.attributes"),
        ([_sku("A", "绿")], "skus.0.attributes.颜色"),
        (
            [Variant(code="A", attributes={"颜色": "红"}, price=Money(amount=1, currency="CNY"))],
            "skus.0.attributes",
        ),
        ([_sku("A"), _sku("B", "蓝", currency="USD")], "skus.1.price.currency"),
        ([_sku("A", cost=Money(amount=50, currency="USD"))], "skus.0.cost.currency"),
    ],
)
def test_each_broken_rule_names_its_field(skus, field):
    with pytest.raises(VariantError) as refused:
        check_variants(ATTRIBUTES, skus)
    assert refused.value.field == field


def test_an_attribute_lists_each_value_once():
    with pytest.raises(VariantError) as refused:
        check_variants({"颜色": ["红", "红"]}, [])
    assert refused.value.field == "attributes.颜色"


def test_the_from_price_is_the_lowest():
    prices = [Money(amount=a, currency="CNY") for a in (300, 120, 450)]
    assert from_price(prices) == Money(amount=120, currency="CNY")
    assert from_price([]) is None
