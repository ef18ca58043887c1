"""The money limit: a quantity times a price, or a sum of lines, beyond what Money holds is
a 422 naming the input that made it (the pure rule, the cart and checkout over HTTP)."""

import pytest

from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.money import MAX_AMOUNT, Money
from services.orders.carts.pricing import price_cart
from services.orders.checkout.pricing import price_order
from services.orders.prices import amounts
from services.orders.prices.offers import Offer

NEAR_LIMIT = MAX_AMOUNT // 2 + 1  # two units are one minor unit too many
CART = "/api/v1/orders/carts/me"
ORDERS = "/api/v1/orders/orders"


def _money(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def _offers(*amounts_: int) -> tuple[list, dict]:
    skus = [new_id() for _ in amounts_]
    offers = {
        sku: Offer(sku_id=sku, product_id=sku, present=True, listing="listed", price=_money(a))
        for sku, a in zip(skus, amounts_, strict=True)
    }
    return skus, offers


def test_times_and_total_hold_up_to_the_limit_and_no_further():
    assert amounts.times(_money(MAX_AMOUNT), 1) == _money(MAX_AMOUNT)
    assert amounts.times(_money(NEAR_LIMIT), 2) is None
    assert amounts.times(_money(NEAR_LIMIT - 1), 2) == _money(MAX_AMOUNT - 1)
    assert amounts.total([_money(MAX_AMOUNT - 1), _money(1)], "CNY") == _money(MAX_AMOUNT)
    assert amounts.total([_money(MAX_AMOUNT), _money(1)], "CNY") is None
    assert amounts.total([], "CNY") == _money(0)


@pytest.mark.parametrize(
    ("prices", "quantities", "field"),
    [
        ((1, NEAR_LIMIT), (1, 2), "body.lines.1.quantity"),
        ((MAX_AMOUNT, 1), (1, 1), "body.lines"),
    ],
)
def test_an_order_beyond_the_limit_names_the_line_or_the_lines(prices, quantities, field):
    skus, offers = _offers(*prices)
    with pytest.raises(InvalidInput) as raised:
        price_order(list(zip(skus, quantities, strict=True)), offers)
    (error,) = raised.value.extra["errors"]
    assert error["field"] == field
    assert "money limit" in error["message"]


def test_a_cart_line_or_total_beyond_the_limit_has_no_total():
    skus, offers = _offers(NEAR_LIMIT, MAX_AMOUNT)
    over_line = price_cart([(skus[0], 2)], offers)
    assert over_line.lines[0].line_total is None
    assert "money limit" in over_line.lines[0].unavailable
    assert over_line.total is None
    over_sum = price_cart([(skus[0], 1), (skus[1], 1)], offers)
    assert [line.unavailable for line in over_sum.lines] == [None, None]
    assert over_sum.total is None


@pytest.mark.asyncio
async def test_a_cart_quantity_beyond_the_limit_is_a_422_naming_it(trade):
    sku = await trade.product(NEAR_LIMIT)
    _, client = await trade.customer()
    async with client:
        refused = await client.put(f"{CART}/items/{sku}", json={"quantity": 2})
        kept = await client.put(f"{CART}/items/{sku}", json={"quantity": 1})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["body.quantity"]
    assert kept.status_code == 200
    assert kept.json()["total"] == {"amount": NEAR_LIMIT, "currency": "CNY"}


@pytest.mark.asyncio
async def test_an_order_beyond_the_limit_is_a_422_naming_the_line_and_writes_nothing(trade):
    sku = await trade.product(NEAR_LIMIT)
    _, client = await trade.customer()
    async with client:
        body = {"lines": [{"sku_id": sku, "quantity": 2}]}
        refused = await client.post(ORDERS, json=body, headers={"Idempotency-Key": str(new_id())})
        orders = await client.get(ORDERS)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["body.lines.0.quantity"]
    assert orders.json()["items"] == []
