"""Coupons at checkout, priced by the real campaigns service's quote: each line keeps its
coupon share; a coupon that does not apply is a 422 naming it; with campaigns unreachable
an order with coupons is a 503 with Retry-After (nothing written) and one without goes at
the list price. Through the real broker: campaigns locks the coupon the order carries."""

from collections.abc import AsyncIterator
from uuid import UUID

import pytest
from conftest import ORDERS, Trade, running_trade
from orders_catalog import address

from chassis.ids import new_id
from chassis.testing import eventually
from services.orders.checkout.quotes import CampaignsQuotes

pytestmark = pytest.mark.asyncio
CAMPAIGNS = "/api/v1/campaigns"
PLACED = "flywheel.orders.order.placed.v1"


@pytest.fixture(scope="module")
async def shop(tmp_path_factory) -> AsyncIterator[Trade]:
    async with running_trade(tmp_path_factory.mktemp("quote"), "real") as running:
        yield running


async def _coupon(shop: Trade, customer, amount_off: int) -> str:
    """A fixed-amount coupon template (by an operator), claimed by the customer."""
    _, token = await shop.platform.staff("operator")
    async with shop.platform.client("campaigns", token) as operator:
        template = await operator.post(
            f"{CAMPAIGNS}/coupons",
            json={
                "name": "¥5 off",
                "kind": "fixed",
                "currency": "CNY",
                "amount_off": amount_off,
                "valid_days": 7,
                "total_quantity": 10,
            },
        )
        assert template.status_code == 201, template.text
    claimed = await customer.post(f"{CAMPAIGNS}/coupons/{template.json()['id']}/claims")
    assert claimed.status_code == 201, claimed.text
    return claimed.json()["id"]


async def test_each_line_keeps_its_coupon_share_and_campaigns_locks_the_coupon(shop):
    tea, cup = await shop.product(1999), await shop.product(800)
    _, token = await shop.platform.customer()
    async with shop.platform.client("campaigns", token) as customer:
        coupon = await _coupon(shop, customer, 500)
    async with shop.platform.client("orders", token) as client:
        lines = [{"sku_id": tea, "quantity": 2}, {"sku_id": cup, "quantity": 1}]
        placed = await client.post(ORDERS, json={"lines": lines, "coupon_ids": [coupon]})
        assert placed.status_code == 201, placed.text
        order = placed.json()
        await eventually(lambda: _coupons_answered(shop, order["id"]), within=20)
        awaiting = await shop.reserve(client, order)

    shares = [(x["coupon_discount"]["amount"], x["paid"]["amount"]) for x in order["lines"]]
    assert sum(off for off, _ in shares) == 500
    assert [off + paid for off, paid in shares] == [3998, 800]
    assert order["total"]["amount"] == 3998 + 800 - 500
    (event,) = await shop.staged(PLACED, order["id"])
    assert [x["coupon_discount"]["amount"] for x in event["data"]["lines"]] == [
        off for off, _ in shares
    ]
    assert awaiting["status"] == "awaiting_payment"


async def _coupons_answered(shop: Trade, order_id: str) -> bool:
    return "coupons" in await shop.answered(order_id)


async def test_a_coupon_that_does_not_apply_is_a_422_naming_it(shop):
    tea = await shop.product(1999)
    _, client = await shop.customer()
    async with client:
        body = {"lines": [{"sku_id": tea, "quantity": 1}], "coupon_ids": [str(new_id())]}
        refused = await client.post(ORDERS, json=body)
        orders = await client.get(ORDERS)
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["errors"]
    assert error["field"] == "body.coupon_ids.0"
    assert "not_found" in error["message"]
    assert orders.json()["items"] == []


async def test_campaigns_away_refuses_coupons_with_503_and_lets_plain_orders_through(shop):
    tea = await shop.product(1999)
    _, client = await shop.customer()
    app = shop.platform.servers["orders"].app
    reachable = app.state.campaigns
    app.state.campaigns = CampaignsQuotes("http://127.0.0.1:1", timeout_seconds=0.5)
    try:
        async with client:
            line = {"sku_id": tea, "quantity": 1}
            refused = await client.post(
                ORDERS, json={"lines": [line], "coupon_ids": [str(new_id())]}
            )
            nothing = await client.get(ORDERS)
            plain = await client.post(ORDERS, json={"lines": [line]})
    finally:
        await app.state.campaigns.close()
        app.state.campaigns = reachable
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert nothing.json()["items"] == []
    assert plain.status_code == 201
    assert plain.json()["total"]["amount"] == 1999
    assert UUID(plain.json()["id"])


async def test_a_free_shipping_coupon_zeroes_the_fee_last_as_it_activates_a_template(shop):
    """Last in this module: the freight template it activates prices every later order."""
    tea = await shop.product(1999)
    _, operator_token = await shop.platform.staff("operator")
    _, token = await shop.platform.customer()
    async with shop.platform.client("orders", operator_token) as operator:
        fee = {"amount": 800, "currency": "CNY"}
        created = await operator.post(
            "/api/v1/orders/freight-templates",
            json={"name": "Standard", "default": {"first_fee": fee, "extra_fee": fee}},
        )
        await operator.post(f"/api/v1/orders/freight-templates/{created.json()['id']}/activate")
    async with shop.platform.client("campaigns", operator_token) as campaigns_operator:
        template = await campaigns_operator.post(
            f"{CAMPAIGNS}/coupons",
            json={
                "name": "包邮",
                "kind": "free_shipping",
                "currency": "CNY",
                "valid_days": 7,
                "total_quantity": 10,
            },
        )
        assert template.status_code == 201, template.text
    async with shop.platform.client("campaigns", token) as customer:
        claimed = await customer.post(f"{CAMPAIGNS}/coupons/{template.json()['id']}/claims")
    async with shop.platform.client("orders", token) as client:
        body = {
            "lines": [{"sku_id": tea, "quantity": 1}],
            "shipping_address": address("CN-BJ"),
        }
        charged = await client.post(ORDERS, json=body)
        free = await client.post(ORDERS, json={**body, "coupon_ids": [claimed.json()["id"]]})
    assert (charged.json()["shipping_fee"]["amount"], charged.json()["total"]["amount"]) == (
        800,
        1999 + 800,
    )
    assert free.status_code == 201, free.text
    assert (free.json()["shipping_fee"]["amount"], free.json()["total"]["amount"]) == (0, 1999)
    assert free.json()["shipping_rule"].startswith("Standard: the default rate")
