"""Campaign prices and coupons at checkout, priced by the real campaigns service's quote: a
line under a running campaign is charged its campaign price (with or without coupons; the
campaign in the order's attribution), each line keeps its coupon share; a coupon that does
not apply is a 422 naming it; with campaigns unreachable an order with coupons, or with a
SKU under a running campaign, is a 503 with Retry-After (nothing written), and any other
goes at the list price. The cart shows the campaign price checkout charges, and list prices
marked unconfirmed while campaigns is stopped. Through the real broker: campaigns locks the
coupon the order carries, and orders learns the campaigns' calendar."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from conftest import ORDERS, Trade, running_trade
from orders_catalog import address

from chassis.ids import new_id
from chassis.testing import ServiceServer, eventually
from services.campaigns.app import create_app as campaigns_app
from services.orders.campaigns.models import CampaignWindow
from services.orders.checkout.quotes import CampaignsQuotes

pytestmark = pytest.mark.asyncio
CAMPAIGNS = "/api/v1/campaigns"
CART = "/api/v1/orders/carts/me"
PLACED = "flywheel.orders.order.placed.v1"
TEA, CUP, TEA_ON_SALE = 1999, 800, 1500  # list prices, and the campaign's price of the tea


@dataclass(frozen=True)
class Sale:
    """Two SKUs, tea and cup, and a holiday sale running now that prices the tea only."""

    tea: str
    cup: str
    campaign: str


async def _sale(shop: Trade) -> Sale:
    tea, cup = await shop.product(TEA), await shop.product(CUP)
    return Sale(tea, cup, await _running_campaign(shop, {tea: TEA_ON_SALE}))


@pytest.fixture(scope="module")
async def shop(tmp_path_factory) -> AsyncIterator[Trade]:
    async with running_trade(tmp_path_factory.mktemp("quote"), "real") as running:
        yield running


@pytest.fixture(scope="module")
async def sale(shop) -> Sale:
    """One sale for the tests that only read it (the one that cancels a campaign makes its
    own): a running campaign takes a scheduler turn of campaigns to start."""
    return await _sale(shop)


async def _coupon(shop: Trade, customer, amount_off: int | None = None) -> str:
    """A coupon template (by an operator) of `amount_off` (None: free shipping), claimed by
    the customer."""
    kind = {"kind": "fixed", "amount_off": amount_off} if amount_off else {"kind": "free_shipping"}
    _, token = await shop.platform.staff("operator")
    async with shop.platform.client("campaigns", token) as operator:
        template = await operator.post(
            f"{CAMPAIGNS}/coupons",
            json={
                "name": "优惠券",
                "currency": "CNY",
                "valid_days": 7,
                "total_quantity": 10,
                **kind,
            },
        )
        assert template.status_code == 201, template.text
    claimed = await customer.post(f"{CAMPAIGNS}/coupons/{template.json()['id']}/claims")
    assert claimed.status_code == 201, claimed.text
    return claimed.json()["id"]


async def _freight_template(shop: Trade, name: str, **terms) -> None:
    """A freight template of 800 for the first item and 800 per item more (and `terms`),
    activated by an operator: it prices every later order's shipping."""
    _, token = await shop.platform.staff("operator")
    fee = _cny(800)
    async with shop.platform.client("orders", token) as operator:
        created = await operator.post(
            "/api/v1/orders/freight-templates",
            json={"name": name, "default": {"first_fee": fee, "extra_fee": fee}, **terms},
        )
        assert created.status_code == 201, created.text
        activated = await operator.post(
            f"/api/v1/orders/freight-templates/{created.json()['id']}/activate"
        )
        assert activated.is_success, activated.text


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
    async with _campaigns_unreachable(shop), client:
        line = {"sku_id": tea, "quantity": 1}
        refused = await client.post(ORDERS, json={"lines": [line], "coupon_ids": [str(new_id())]})
        nothing = await client.get(ORDERS)
        plain = await client.post(ORDERS, json={"lines": [line]})
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert nothing.json()["items"] == []
    assert plain.status_code == 201
    assert plain.json()["total"]["amount"] == 1999
    assert UUID(plain.json()["id"])


@asynccontextmanager
async def _campaigns_unreachable(shop: Trade) -> AsyncIterator[None]:
    """Orders asks campaigns at a port where nothing listens, until the block ends."""
    app = shop.platform.servers["orders"].app
    reachable = app.state.campaigns
    app.state.campaigns = CampaignsQuotes("http://127.0.0.1:1", timeout_seconds=0.5)
    try:
        yield
    finally:
        await app.state.campaigns.close()
        app.state.campaigns = reachable


@asynccontextmanager
async def _campaigns_stopped(shop: Trade) -> AsyncIterator[None]:
    """The campaigns service stopped until the block ends, then started again on its port
    (the URL orders asks) with its database as it was."""
    platform = shop.platform
    stopped = platform.servers["campaigns"]
    await stopped.stop()
    try:
        yield
    finally:
        again = ServiceServer(campaigns_app(platform.settings("campaigns")), port=stopped.port)
        platform.servers["campaigns"] = await again.start()


async def _running_campaign(shop: Trade, prices: dict[str, int]) -> str:
    """A holiday sale running now with these campaign prices (SKU → amount), by an operator;
    once campaigns' scheduler started it."""
    _, token = await shop.platform.staff("operator")
    async with shop.platform.client("campaigns", token) as staff:
        start = datetime.now(UTC) - timedelta(minutes=1)
        created = await staff.post(
            f"{CAMPAIGNS}/campaigns",
            json={
                "name": "双十二 sale",
                "kind": "holiday_sale",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(days=1)).isoformat(),
                "sku_ids": list(prices),
            },
        )
        assert created.status_code == 201, created.text
        campaign = created.json()["id"]
        body = {"prices": [{"sku_id": s, "price": _cny(a)} for s, a in prices.items()]}
        assert (await staff.put(f"{CAMPAIGNS}/campaigns/{campaign}/prices", json=body)).is_success
        scheduled = await staff.post(
            f"{CAMPAIGNS}/campaigns/{campaign}/schedule", json={"override_reason": "a test"}
        )
        assert scheduled.status_code == 200, scheduled.text

        async def running() -> bool:
            return (await staff.get(f"{CAMPAIGNS}/campaigns/{campaign}")).json()["state"] == (
                "running"
            )

        await eventually(running, within=30)
    return campaign


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


async def _window(shop: Trade, campaign: str, *, closed: bool) -> bool:
    """Whether orders' read model of the calendar holds the campaign (closed, or not)."""
    async with shop.db.session() as session:
        window = await session.get(CampaignWindow, UUID(campaign))
    return window is not None and (window.closed_at is not None) == closed


async def test_a_line_under_a_running_campaign_is_charged_its_campaign_price(shop, sale):
    _, token = await shop.platform.customer()
    async with shop.platform.client("campaigns", token) as customer:
        coupon = await _coupon(shop, customer, 500)
    lines = [{"sku_id": sale.tea, "quantity": 2}, {"sku_id": sale.cup, "quantity": 1}]
    async with shop.platform.client("orders", token) as client:
        plain = await client.post(ORDERS, json={"lines": lines})
        with_coupon = await client.post(ORDERS, json={"lines": lines, "coupon_ids": [coupon]})
        assert with_coupon.status_code == 201, with_coupon.text
        order = with_coupon.json()
        await eventually(lambda: _coupons_answered(shop, order["id"]), within=20)
        awaiting = await shop.reserve(client, order)  # campaigns locked the coupon: no refusal

    assert plain.status_code == 201, plain.text
    lines_out = plain.json()["lines"]
    charged = [(x["list_price"]["amount"], x["unit_price"]["amount"]) for x in lines_out]
    assert charged == [(TEA, TEA_ON_SALE), (CUP, CUP)]
    assert [x["paid"]["amount"] for x in lines_out] == [3000, 800]
    assert plain.json()["total"]["amount"] == 3800
    assert plain.json()["campaign_ids"] == [sale.campaign]
    (placed,) = await shop.staged(PLACED, plain.json()["id"])
    assert [x["unit_price"]["amount"] for x in placed["data"]["lines"]] == [TEA_ON_SALE, CUP]
    assert placed["data"]["attribution"]["campaign_ids"] == [sale.campaign]
    assert placed["data"]["total"]["amount"] == 3800
    # The coupon is priced on the campaign price: ¥5 off the ¥38 the lines cost at it.
    shares = [(x["coupon_discount"]["amount"], x["paid"]["amount"]) for x in order["lines"]]
    assert [off + paid for off, paid in shares] == [3000, 800]
    assert sum(off for off, _ in shares) == 500
    assert order["total"]["amount"] == 3800 - 500
    assert awaiting["status"] == "awaiting_payment"
    (placed,) = await shop.staged(PLACED, order["id"])
    assert placed["data"]["attribution"]["campaign_ids"] == [sale.campaign]
    assert placed["data"]["attribution"]["coupon_ids"] == [coupon]


async def test_campaigns_away_refuses_a_sku_under_a_running_campaign_until_it_is_cancelled(shop):
    own = await _sale(shop)  # its campaign is cancelled here
    tea, cup, campaign = own.tea, own.cup, own.campaign
    await eventually(lambda: _window(shop, campaign, closed=False), within=20)
    _, client = await shop.customer()
    async with _campaigns_unreachable(shop), client:
        refused = await client.post(ORDERS, json={"lines": [{"sku_id": tea, "quantity": 1}]})
        nothing = await client.get(ORDERS)
        other = await client.post(ORDERS, json={"lines": [{"sku_id": cup, "quantity": 1}]})
        _, operator = await shop.platform.staff("operator")
        async with shop.platform.client("campaigns", operator) as staff:
            cancelled = await staff.post(
                f"{CAMPAIGNS}/campaigns/{campaign}/cancel", json={"reason": "called off"}
            )
            assert cancelled.status_code == 200, cancelled.text
        await eventually(lambda: _window(shop, campaign, closed=True), within=20)
        listed = await client.post(ORDERS, json={"lines": [{"sku_id": tea, "quantity": 1}]})
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert campaign in refused.json()["detail"]
    assert nothing.json()["items"] == []
    assert other.status_code == 201, other.text
    assert other.json()["total"]["amount"] == CUP
    assert listed.status_code == 201, listed.text
    assert (listed.json()["total"]["amount"], listed.json()["campaign_ids"]) == (TEA, [])


async def test_a_placed_order_retried_while_campaigns_is_away_replays(shop):
    tea = await shop.product(1999)
    _, token = await shop.platform.customer()
    async with shop.platform.client("campaigns", token) as customer:
        coupon = await _coupon(shop, customer, 500)
    body = {"lines": [{"sku_id": tea, "quantity": 1}], "coupon_ids": [coupon]}
    key = {"Idempotency-Key": str(new_id())}
    async with shop.platform.client("orders", token) as client:
        placed = await client.post(ORDERS, json=body, headers=key)
        async with _campaigns_unreachable(shop):
            retried = await client.post(ORDERS, json=body, headers=key)
            new_key = {"Idempotency-Key": str(new_id())}
            refused = await client.post(ORDERS, json=body, headers=new_key)
            without_key = await client.post(ORDERS, json=body)
        orders = await client.get(ORDERS)
    assert placed.status_code == 201, placed.text
    assert (retried.status_code, retried.json()) == (201, placed.json())
    assert retried.headers["idempotent-replayed"] == "true"
    assert (refused.status_code, without_key.status_code) == (503, 503)
    assert int(refused.headers["retry-after"]) > 0
    assert [o["id"] for o in orders.json()["items"]] == [placed.json()["id"]]


async def test_the_cart_shows_the_campaign_price_checkout_charges(shop, sale):
    _, token = await shop.platform.customer()
    lines = [{"sku_id": sale.tea, "quantity": 2}, {"sku_id": sale.cup, "quantity": 1}]
    async with shop.platform.client("orders", token) as client:
        for line in lines:
            put = await client.put(
                f"{CART}/items/{line['sku_id']}", json={"quantity": line["quantity"]}
            )
            assert put.status_code == 200, put.text
        cart = await client.get(CART)
        placed = await client.post(ORDERS, json={"lines": lines})

    assert cart.status_code == 200, cart.text
    assert cart.json() == {
        "lines": [
            _cart_line(sale.tea, 2, TEA, TEA_ON_SALE, sale.campaign),
            _cart_line(sale.cup, 1, CUP, CUP, None),
        ],
        "total": _cny(2 * TEA_ON_SALE + CUP),
        "campaign_ids": [sale.campaign],
        "prices_confirmed": True,
    }
    assert put.json() == cart.json()  # a change answers the cart as a read does
    # What the cart said is what checkout charges.
    assert placed.status_code == 201, placed.text
    assert placed.json()["total"] == cart.json()["total"]


async def test_with_campaigns_stopped_the_cart_shows_list_prices_unconfirmed(shop, sale):
    _, token = await shop.platform.customer()
    async with shop.platform.client("orders", token) as client:
        await client.put(f"{CART}/items/{sale.tea}", json={"quantity": 2})
        async with _campaigns_stopped(shop):
            cart = await client.get(CART)
            put = await client.put(f"{CART}/items/{sale.cup}", json={"quantity": 1})
        back = await client.get(CART)

    assert cart.status_code == 200, cart.text
    assert cart.json() == {
        "lines": [_cart_line(sale.tea, 2, TEA, TEA, None)],
        "total": _cny(2 * TEA),
        "campaign_ids": [],
        "prices_confirmed": False,
    }
    assert put.status_code == 200, put.text
    assert (put.json()["total"], put.json()["prices_confirmed"]) == (_cny(2 * TEA + CUP), False)
    assert (back.json()["total"], back.json()["prices_confirmed"]) == (
        _cny(2 * TEA_ON_SALE + CUP),
        True,
    )


def _cart_line(sku: str, quantity: int, listed: int, unit: int, campaign: str | None) -> dict:
    return {
        "sku_id": sku,
        "quantity": quantity,
        "list_price": _cny(listed),
        "unit_price": _cny(unit),
        "campaign_id": campaign,
        "line_total": _cny(unit * quantity),
        "unavailable": None,
    }


async def test_a_free_shipping_coupon_zeroes_the_fee_last_as_it_activates_a_template(shop):
    """Last in this module: the freight template it activates prices every later order."""
    tea = await shop.product(TEA)
    await _freight_template(shop, "Standard")
    _, token = await shop.platform.customer()
    async with shop.platform.client("campaigns", token) as customer:
        free_shipping = await _coupon(shop, customer)
    async with shop.platform.client("orders", token) as client:
        body = {
            "lines": [{"sku_id": tea, "quantity": 1}],
            "shipping_address": address("CN-BJ"),
        }
        charged = await client.post(ORDERS, json=body)
        free = await client.post(ORDERS, json={**body, "coupon_ids": [free_shipping]})
    assert (charged.json()["shipping_fee"]["amount"], charged.json()["total"]["amount"]) == (
        800,
        TEA + 800,
    )
    assert free.status_code == 201, free.text
    assert (free.json()["shipping_fee"]["amount"], free.json()["total"]["amount"]) == (0, TEA)
    assert free.json()["shipping_rule"].startswith("Standard: the default rate")


async def test_shipping_is_priced_at_the_campaign_price_and_a_free_shipping_coupon_takes_it(
    shop, sale
):
    """After the template above: free shipping from ¥35 at the goods' campaign prices."""
    await _freight_template(shop, "Free from 35", free_over=_cny(3500))
    _, token = await shop.platform.customer()
    async with shop.platform.client("campaigns", token) as customer:
        free_shipping = await _coupon(shop, customer)
    async with shop.platform.client("orders", token) as client:
        # ¥39.98 at the list price ships free; ¥30 at the campaign price does not.
        body = {
            "lines": [{"sku_id": sale.tea, "quantity": 2}],
            "shipping_address": address("CN-BJ"),
        }
        charged = await client.post(ORDERS, json=body)
        free = await client.post(ORDERS, json={**body, "coupon_ids": [free_shipping]})
    assert charged.status_code == 201, charged.text
    # 800 for the first item, 800 for the next.
    assert (charged.json()["shipping_fee"], charged.json()["total"]) == (
        _cny(1600),
        _cny(2 * TEA_ON_SALE + 1600),
    )
    assert free.status_code == 201, free.text
    assert (free.json()["shipping_fee"], free.json()["total"]) == (_cny(0), _cny(2 * TEA_ON_SALE))
