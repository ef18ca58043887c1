"""Carts over HTTP: one's own cart, lines priced live from the catalog's read model, an event
for each SKU added or removed (for abandoned-cart journeys), bad SKUs and quantities refused."""

from uuid import UUID

import pytest
from sqlalchemy import update

from chassis.ids import new_id
from services.orders.prices.models import KnownProduct

pytestmark = pytest.mark.asyncio

CART = "/api/v1/orders/carts/me"
ADDED = "flywheel.orders.cart.item_added.v1"
REMOVED = "flywheel.orders.cart.item_removed.v1"


async def _reprice(trade, sku: str, amount: int | None) -> None:
    async with trade.db.session() as session, session.begin():
        values = {"price_amount": amount, "currency": "CNY" if amount is not None else None}
        await session.execute(
            update(KnownProduct).where(KnownProduct.product_id == UUID(sku)).values(**values)
        )


async def test_a_cart_is_priced_live_and_tells_what_went_in_and_out(trade):
    tea, mug = await trade.product(1500), await trade.product(800)
    customer_id, client = await trade.customer()
    _, someone_else = await trade.customer()
    async with client, someone_else:
        await client.put(f"{CART}/items/{tea}", json={"quantity": 2})
        await client.put(f"{CART}/items/{mug}", json={"quantity": 1})
        changed = await client.put(f"{CART}/items/{tea}", json={"quantity": 3})
        await _reprice(trade, mug, 900)
        repriced = await client.get(CART)
        await _reprice(trade, mug, None)
        unpriced = await client.get(CART)
        removed = await client.delete(f"{CART}/items/{mug}")
        theirs = await someone_else.get(CART)

    cny = lambda amount: {"amount": amount, "currency": "CNY"}  # noqa: E731
    assert changed.json() == {
        "lines": [
            {"sku_id": tea, "quantity": 3, "unit_price": cny(1500), "line_total": cny(4500)},
            {"sku_id": mug, "quantity": 1, "unit_price": cny(800), "line_total": cny(800)},
        ],
        "total": cny(5300),
    }
    assert repriced.json()["total"] == cny(5400)
    assert unpriced.json()["lines"][1]["unit_price"] is None
    assert unpriced.json()["total"] is None
    assert removed.json()["lines"] == [
        {"sku_id": tea, "quantity": 3, "unit_price": cny(1500), "line_total": cny(4500)}
    ]
    assert theirs.json() == {"lines": [], "total": None}

    added = await trade.staged(ADDED, customer_id)
    assert [(e["data"]["sku_id"], e["data"]["quantity"]) for e in added] == [
        (tea, 2),
        (mug, 1),
        (tea, 3),
    ]
    (out,) = await trade.staged(REMOVED, customer_id)
    assert out["data"]["sku_id"] == mug


@pytest.mark.parametrize(
    ("quantity", "field"),
    [(0, "body.quantity"), (1000, "body.quantity"), (-1, "body.quantity"), ("2", "body.quantity")],
)
async def test_a_bad_quantity_is_a_422(trade, quantity, field):
    sku = await trade.product()
    _, client = await trade.customer()
    async with client:
        response = await client.put(f"{CART}/items/{sku}", json={"quantity": quantity})
        cart = await client.get(CART)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert cart.json()["lines"] == []


async def test_an_unknown_or_unpriced_sku_is_refused_and_removing_an_absent_one_is_404(trade):
    unpriced = await trade.product()
    await _reprice(trade, unpriced, None)
    customer_id, client = await trade.customer()
    async with client, trade.platform.client("orders") as anonymous:
        unknown = await client.put(f"{CART}/items/{new_id()}", json={"quantity": 1})
        no_price = await client.put(f"{CART}/items/{unpriced}", json={"quantity": 1})
        absent = await client.delete(f"{CART}/items/{new_id()}")
        signed_out = await anonymous.get(CART)

    for refused in (unknown, no_price):
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["path.sku_id"]
    assert absent.status_code == 404
    assert signed_out.status_code == 401
    assert await trade.staged(ADDED, customer_id) == []
