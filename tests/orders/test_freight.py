"""Freight templates over HTTP: operators create and activate them; an order then carries the
fee (in its total and on order.placed) and the rule that set it; an address is required, an
excluded region refused; by weight, from the SKU weights catalog's events carry, with member
tiers (users' events) lowering the free-shipping threshold. An orders service of its own: an
active template prices every order."""

from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID

import pytest
from conftest import ORDERS, Trade, running_trade
from orders_catalog import address

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually
from contracts.catalog import ProductCreated, SkuPrice
from contracts.users import Tier, TierChanged, TierReason

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
            return body | ({"shipping_address": address(region)} if region else {})

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


async def _weighed_sku(shop: Trade, amount: int, grams: int | None) -> str:
    """A listed SKU of `grams` a unit (None: no weight published), told by catalog's event
    over the broker."""
    sku = new_id()
    price = Money(amount=amount, currency="CNY")
    await shop.reply(
        ProductCreated(
            product_id=sku,
            name=f"Tea {sku.hex[-6:]}",
            state="listed",
            price=price,
            created_at=now(),
            skus=[SkuPrice(sku_id=sku, code=f"W{sku.hex}", price=price, weight_grams=grams)],
        )
    )
    return str(sku)


def _tier(user_id: str, to: Tier, at) -> TierChanged:
    return TierChanged(
        user_id=UUID(user_id),
        from_tier=Tier.REGULAR,
        to_tier=to,
        reason=TierReason.UPGRADE,
        spend_12m=100_000,
        review_at=None,
        changed_at=at,
    )


async def test_a_template_by_weight_with_a_lower_threshold_for_gold_members(shop):
    _, operator_token = await shop.platform.staff("operator")
    gold_id, gold = await shop.customer()
    _, regular = await shop.customer()
    heavy, light = await _weighed_sku(shop, 3000, 1200), await _weighed_sku(shop, 1000, 250)
    unweighed = await _weighed_sku(shop, 1000, None)
    at = now()
    await shop.reply(_tier(gold_id, Tier.GOLD, at))
    # An older change arriving late (a downgrade before the upgrade) changes nothing.
    stale = await shop.reply(_tier(gold_id, Tier.REGULAR, at - timedelta(days=1)))
    template = {
        "name": "By weight",
        "basis": "weight",
        "default": {
            "first_grams": 1000,
            "first_fee": _cny(800),
            "extra_grams": 500,
            "extra_fee": _cny(300),
        },
        "free_over": _cny(50000),
        "member_free_over": [{"tier": "gold", "free_over": _cny(5000)}],
    }
    by_items = {k: v for k, v in template["default"].items() if "grams" not in k}

    def order(*lines: tuple[str, int]) -> dict:
        return {
            "lines": [{"sku_id": sku, "quantity": quantity} for sku, quantity in lines],
            "shipping_address": address("CN-GD"),
        }

    async with shop.platform.client("orders", operator_token) as operator, gold, regular:
        no_grams = await operator.post(TEMPLATES, json=template | {"default": by_items})
        grams_by_count = await operator.post(
            TEMPLATES, json=template | {"basis": "items", "member_free_over": []}
        )
        twice = await operator.post(
            TEMPLATES, json=template | {"member_free_over": template["member_free_over"] * 2}
        )
        created = await operator.post(TEMPLATES, json=template)
        assert created.status_code == 201, created.text
        activated = await operator.post(f"{TEMPLATES}/{created.json()['id']}/activate")
        assert activated.status_code == 200, activated.text

        async def known() -> bool:
            placed = await regular.post(ORDERS, json=order((heavy, 1)))
            return placed.status_code == 201

        await eventually(known)
        await eventually(lambda: shop.applied(stale))
        # 1200 g + 2 x 250 g = 1700 g: the first 1000 g and two steps of 500 g begun.
        charged = await regular.post(ORDERS, json=order((heavy, 1), (light, 2)))
        gold_free = await gold.post(ORDERS, json=order((heavy, 1), (light, 2)))
        gold_under = await gold.post(ORDERS, json=order((light, 2)))
        refused = await regular.post(ORDERS, json=order((light, 1), (unweighed, 1)))

    assert [e["field"] for e in no_grams.json()["errors"]] == ["body.default.first_grams"]
    assert [e["field"] for e in grams_by_count.json()["errors"]] == ["body.default.first_grams"]
    assert twice.status_code == 422
    assert charged.status_code == 201, charged.text
    assert (charged.json()["shipping_fee"], charged.json()["total"]) == (_cny(1400), _cny(6400))
    assert charged.json()["shipping_rule"] == (
        "By weight: the default rate, 1700 g: 800 for the first 1000 g, 300 per 500 g more"
    )
    assert (gold_free.json()["shipping_fee"], gold_free.json()["total"]) == (_cny(0), _cny(5000))
    assert gold_free.json()["shipping_rule"] == "By weight: free over 5000 for gold members"
    assert gold_under.json()["shipping_fee"] == _cny(800)  # 500 g, under the threshold
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.lines.1.sku_id"]
