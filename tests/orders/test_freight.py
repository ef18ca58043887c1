"""Freight templates over HTTP: operators create and activate them; an order then carries the
fee (in its total and on order.placed) and the rule that set it; an address is required, an
excluded region refused. An orders service of its own: an active template prices every order."""

from collections.abc import AsyncIterator

import pytest
from conftest import ORDERS, Trade, running_trade

pytestmark = pytest.mark.asyncio
TEMPLATES = "/api/v1/orders/freight-templates"
PLACED = "flywheel.orders.order.placed.v1"


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


@pytest.fixture(scope="module")
async def shop(tmp_path_factory) -> AsyncIterator[Trade]:
    async with running_trade(tmp_path_factory.mktemp("freight"), "stand-in") as running:
        yield running


async def test_an_active_template_prices_each_orders_shipping(shop):
    sku = await shop.product(2000)
    _, operator_token = await shop.platform.staff("operator")
    _, client = await shop.customer()
    template = {
        "name": "Standard",
        "default": {"first_fee": _cny(1000), "extra_fee": _cny(500)},
        "free_over": _cny(10000),
        "excluded_regions": ["CN-XZ"],
    }
    async with shop.platform.client("orders", operator_token) as operator, client:
        by_customer = await client.post(TEMPLATES, json=template)
        mixed = await operator.post(
            TEMPLATES, json={**template, "free_over": _cny(1) | {"currency": "USD"}}
        )
        created = await operator.post(TEMPLATES, json=template)
        before = await client.post(ORDERS, json={"lines": [{"sku_id": sku, "quantity": 1}]})
        activated = await operator.post(f"{TEMPLATES}/{created.json()['id']}/activate")

        def order(quantity: int, region: str | None) -> dict:
            body = {"lines": [{"sku_id": sku, "quantity": quantity}]}
            return body | ({"shipping_address": {"region": region}} if region else {})

        two = await client.post(ORDERS, json=order(2, "CN-BJ"))
        free = await client.post(ORDERS, json=order(5, "CN-BJ"))
        nowhere = await client.post(ORDERS, json=order(1, None))
        excluded = await client.post(ORDERS, json=order(1, "CN-XZ"))

    assert by_customer.status_code == 403
    assert mixed.status_code == 422
    assert activated.status_code == 200, activated.text
    assert (before.json()["shipping_fee"], before.json()["total"]) == (None, _cny(2000))
    assert two.status_code == 201, two.text
    assert (two.json()["shipping_fee"], two.json()["total"]) == (_cny(1500), _cny(5500))
    assert two.json()["shipping_rule"] == (
        "Standard: the default rate, 2 items: 1000 for the first 1, 500 per 1 more"
    )
    (event,) = await shop.staged(PLACED, two.json()["id"])
    assert event["data"]["shipping_fee"] == _cny(1500)
    assert (free.json()["shipping_fee"], free.json()["total"]) == (_cny(0), _cny(10000))
    assert [e["field"] for e in nowhere.json()["errors"]] == ["body.shipping_address"]
    assert [e["field"] for e in excluded.json()["errors"]] == ["body.shipping_address.region"]
