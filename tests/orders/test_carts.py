"""Carts over HTTP: one's own cart, lines priced live from the catalog's read model, an event
for each SKU added or removed (for abandoned-cart journeys), bad SKUs and quantities refused."""

from datetime import timedelta
from uuid import UUID

import pytest

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from contracts.catalog import SkuPrice
from services.orders.prices import service as prices

pytestmark = pytest.mark.asyncio

CART = "/api/v1/orders/carts/me"
ADDED = "flywheel.orders.cart.item_added.v1"
REMOVED = "flywheel.orders.cart.item_removed.v1"


async def _reprice(trade, sku: str, amount: int) -> None:
    """As catalog's PriceChanged applies: from now on."""
    async with trade.db.session() as session, session.begin():
        await prices.price_from(session, [(UUID(sku), Money(amount=amount, currency="CNY"))], now())


async def _delist(trade, sku: str) -> None:
    """As catalog's ProductDelisted applies (each SKU here is its own product)."""
    async with trade.db.session() as session, session.begin():
        await prices.set_state(session, UUID(sku), "delisted", now())


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
        await _delist(trade, mug)
        delisted = await client.get(CART)
        removed = await client.delete(f"{CART}/items/{mug}")
        theirs = await someone_else.get(CART)

    cny = lambda amount: {"amount": amount, "currency": "CNY"}  # noqa: E731
    # No campaign prices them (the stand-in quote's answer): the list prices, confirmed.
    assert changed.json() == {
        "lines": [
            {
                "sku_id": tea,
                "quantity": 3,
                "list_price": cny(1500),
                "unit_price": cny(1500),
                "campaign_id": None,
                "line_total": cny(4500),
                "unavailable": None,
            },
            {
                "sku_id": mug,
                "quantity": 1,
                "list_price": cny(800),
                "unit_price": cny(800),
                "campaign_id": None,
                "line_total": cny(800),
                "unavailable": None,
            },
        ],
        "total": cny(5300),
        "campaign_ids": [],
        "prices_confirmed": True,
    }
    assert repriced.json()["total"] == cny(5400)
    assert delisted.json()["lines"][1] == {
        "sku_id": mug,
        "quantity": 1,
        "list_price": None,
        "unit_price": None,
        "campaign_id": None,
        "line_total": None,
        "unavailable": f"{mug} was delisted: it is not on sale",
    }
    assert delisted.json()["total"] is None
    assert [line["sku_id"] for line in removed.json()["lines"]] == [tea]
    assert removed.json()["total"] == cny(4500)
    assert theirs.json() == {
        "lines": [],
        "total": None,
        "campaign_ids": [],
        "prices_confirmed": True,
    }

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


async def test_an_unknown_delisted_or_unpriced_sku_is_refused_and_removing_an_absent_one_is_404(
    trade,
):
    delisted, later, unknown = await trade.product(), new_id(), new_id()
    await _delist(trade, delisted)
    async with trade.db.session() as session, session.begin():
        # A SKU whose only price applies from tomorrow (clocks disagree): no price yet.
        soon = now() + timedelta(days=1)
        await prices.describe(
            session,
            later,
            name="Tea",
            state="listed",
            skus=[SkuPrice(sku_id=later, code="LATER", price=Money(amount=1, currency="CNY"))],
            at=soon,
        )
    customer_id, client = await trade.customer()
    async with client, trade.platform.client("orders") as anonymous:
        refused = {
            sku: await client.put(f"{CART}/items/{sku}", json={"quantity": 1})
            for sku in (unknown, delisted, later)
        }
        absent = await client.delete(f"{CART}/items/{new_id()}")
        signed_out = await anonymous.get(CART)

    assert {sku: r.json()["errors"] for sku, r in refused.items()} == {
        unknown: [_path_error(f"{unknown} is not a SKU the catalog sells")],
        delisted: [_path_error(f"{delisted} was delisted: it is not on sale")],
        later: [_path_error(f"{later} has no price yet, so it cannot be ordered")],
    }
    assert {r.status_code for r in refused.values()} == {422}
    assert absent.status_code == 404
    assert signed_out.status_code == 401
    assert await trade.staged(ADDED, customer_id) == []


def _path_error(message: str) -> dict:
    return {"field": "path.sku_id", "message": message, "type": "value_error"}
