"""One SKU off sale while its product stays listed, over real HTTP: hidden from storefronts
and from browse's stock filter, out of the from price, refused to orders (through the
broker), never the product's last SKU on sale; and on PostgreSQL, the last two delisted at
once leave one on sale."""

import asyncio
from uuid import UUID

import products_db
import publishing
import pytest

from chassis.clock import now
from chassis.events.outbox import envelope_for
from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.money import Money, Price
from chassis.testing import eventually
from contracts.orders import OrderLine, OrderPlaced
from services.catalog.products import service as products
from services.catalog.products.schemas import ProductCreate, SkuIn

PRODUCTS = "/api/v1/catalog/products"
LISTING_CHANGED = "flywheel.catalog.sku.listing_changed.v1"


async def _listed(platform, operators) -> dict:
    """A listed product: red at 5900 with no stock, blue at 4900 with 5."""
    submitter, reviewer = operators
    word = f"zq{new_id().hex[-8:]}"
    body = {
        "name": f"保温杯 {word}",
        "keywords": [word],
        "attributes": {"颜色": ["红", "蓝"]},
        "skus": [
            {
                "code": f"L-{new_id().hex}",
                "attributes": {"颜色": color},
                "price": {"amount": amount, "currency": "CNY"},
                "stock": stock,
            }
            for color, amount, stock in (("红", 5900, 0), ("蓝", 4900, 5))
        ],
    }
    async with platform.client("catalog", submitter) as catalog:
        product = (await catalog.post(PRODUCTS, json=body)).json()
        await catalog.post(f"{PRODUCTS}/{product['id']}/submit")
    async with platform.client("catalog", reviewer) as catalog:
        assert (await catalog.post(f"{PRODUCTS}/{product['id']}/approve")).status_code == 200
    return product | {"word": word}


async def test_a_delisted_sku_is_off_sale_while_its_product_stays_listed(
    platform, operators, operator_token
):
    product = await _listed(platform, operators)
    red, blue = (sku["id"] for sku in product["skus"])
    path = f"{PRODUCTS}/{product['id']}/skus"
    async with platform.client("catalog", operators[0]) as catalog:
        delisted = await catalog.post(f"{path}/{blue}/delist")
        again = await catalog.post(f"{path}/{blue}/delist")
        last = await catalog.post(f"{path}/{red}/delist")  # the last one on sale
        elsewhere = await catalog.post(f"{PRODUCTS}/{new_id()}/skus/{blue}/delist")
    async with platform.client("catalog") as storefront:
        seen = (await storefront.get(f"{PRODUCTS}/{product['id']}")).json()
        stocked = await storefront.get(PRODUCTS, params={"q": product["word"], "in_stock": True})
        listed = await storefront.get(PRODUCTS, params={"q": product["word"]})
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        refused = await catalog.post(f"{path}/{blue}/relist")
    assert delisted.status_code == 200, delisted.text
    assert delisted.json()["state"] == "listed"
    assert [s["listed"] for s in delisted.json()["skus"]] == [True, False]
    assert delisted.json()["price"]["amount"] == 5900  # the from price of what is on sale
    assert (again.status_code, last.status_code, elsewhere.status_code) == (409, 409, 404)
    assert refused.status_code == 403
    assert [s["id"] for s in seen["skus"]] == [red]
    assert seen["in_stock"] is False  # blue's stock is not for sale
    assert stocked.json()["items"] == []
    assert [p["id"] for p in listed.json()["items"]] == [product["id"]]

    order = OrderPlaced(
        order_id=new_id(),
        customer_id=new_id(),
        lines=[
            OrderLine(
                sku_id=UUID(blue),
                quantity=1,
                list_price=Money(amount=4900, currency="CNY"),
                unit_price=Money(amount=4900, currency="CNY"),
                paid=Money(amount=4900, currency="CNY"),
            )
        ],
        total=Money(amount=4900, currency="CNY"),
        placed_at=now(),
    )
    await publishing.publish(platform, envelope_for(order, source="/flywheel/orders"))
    async with platform.client("catalog", operators[0]) as catalog:

        async def answered():
            found = await catalog.get(f"/api/v1/catalog/inventory/reservations/{order.order_id}")
            return found.json() if found.status_code == 200 else None

        assert (await eventually(answered, within=30))["state"] == "rejected"
        relisted = await catalog.post(f"{path}/{blue}/relist")
    assert [s["listed"] for s in relisted.json()["skus"]] == [True, True]
    assert relisted.json()["price"]["amount"] == 4900

    async def published():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": LISTING_CHANGED, "subject": blue}
            )
        items = response.json()["items"]
        return items if len(items) >= 2 else None

    events = sorted(await eventually(published, within=60), key=lambda e: e["time"])
    assert [e["data"]["listed"] for e in events] == [False, True]  # once each


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_the_last_two_skus_delisted_at_once_leave_one_on_sale(db):
    """Twenty products of two SKUs each, all forty delisted at once (each twice)."""
    made = []
    for _ in range(20):
        body = ProductCreate(
            name="保温杯",
            attributes={"颜色": ["红", "蓝"]},
            skus=[
                SkuIn(
                    code=f"T-{new_id().hex}",
                    attributes={"颜色": color},
                    price=Price(amount=100, currency="CNY"),
                    stock=1,
                )
                for color in ("红", "蓝")
            ],
        )
        made.append(tuple(await products_db.create(db, body)))

    async def delist(product_id, sku_id):
        async with db.session() as session:
            try:
                return await products.list_sku(session, product_id, sku_id, False, new_id())
            except Conflict:
                return None

    done = await asyncio.gather(*(delist(p, s) for p, skus in made for s in skus * 2))
    assert sum(d is not None for d in done) == 20
    async with db.session() as session:
        for product_id, _ in made:
            found = await products.get(session, product_id)
            await session.refresh(found, ["skus"])
            assert sum(s.listed for s in found.skus) == 1
