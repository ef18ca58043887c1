"""Anonymous carts over HTTP: a visitor's cart reached by its secret token alone, priced as a
customer's cart is, with the same limits, gone once untouched for its time to live; and its
merge into the customer's cart on sign-in, once."""

import json
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from orders_catalog import offer_sku
from sqlalchemy import func, select, update
from stack import gateway_for

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import eventually
from services.orders.carts.merging import CAPPED
from services.orders.carts.models import AnonymousCart, CartLine
from services.orders.carts.tokens import token_hash
from services.orders.prices import service as prices
from services.orders.privacy import service as privacy

pytestmark = pytest.mark.asyncio

CARTS = "/api/v1/orders/carts"
ANONYMOUS = f"{CARTS}/anonymous"
MINE = f"{CARTS}/me"
ADDED = "flywheel.orders.cart.item_added.v1"
REMOVED = "flywheel.orders.cart.item_removed.v1"
NO_CART = (
    "No cart has this X-Cart-Token: it may be mistyped, expired after a while untouched, or "
    "merged into a customer's cart."
)


def cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


def line(sku: str, quantity: int, price: int | None) -> dict:
    return {
        "sku_id": sku,
        "quantity": quantity,
        "list_price": price and cny(price),
        "unit_price": price and cny(price),
        "campaign_id": None,
        "line_total": price and cny(price * quantity),
        "unavailable": None,
    }


async def _open(visitor) -> tuple[str, str]:
    created = await visitor.post(CARTS)
    assert created.status_code == 201, created.text
    return created.json()["cart_id"], created.json()["token"]


async def _delist(trade, sku: str) -> None:
    async with trade.db.session() as session, session.begin():
        await prices.set_state(session, UUID(sku), "delisted", now())


async def _outbox_of(trade, type_: str, skus: list[str]) -> list[dict]:
    """Every staged event of `type_` about these SKUs, whoever it is keyed by."""
    async with trade.db.session() as session:
        rows = await session.scalars(select(outbox.c.payload).where(outbox.c.type == type_))
        return [e for e in map(json.loads, rows) if e["data"]["sku_id"] in skus]


async def test_a_visitor_fills_a_cart_with_its_token_alone_priced_at_list_prices(trade):
    tea, mug = await trade.product(1500), await trade.product(800)
    async with trade.platform.client("orders") as visitor:
        created = await visitor.post(CARTS)
        cart_id, token = created.json()["cart_id"], created.json()["token"]
        held = {"X-Cart-Token": token}
        empty = await visitor.get(ANONYMOUS, headers=held)
        await visitor.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 2}, headers=held)
        await visitor.put(f"{ANONYMOUS}/items/{mug}", json={"quantity": 1}, headers=held)
        changed = await visitor.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 3}, headers=held)
        removed = await visitor.delete(f"{ANONYMOUS}/items/{mug}", headers=held)
        read = await visitor.get(ANONYMOUS, headers=held)

    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    assert len(token) >= 43
    assert (
        timedelta(days=29, hours=23)
        < _at(created.json()["expires_at"]) - now()
        <= timedelta(days=30)
    )
    assert empty.json() | {"expires_at": None} == {
        "lines": [],
        "total": None,
        "campaign_ids": [],
        "prices_confirmed": True,
        "cart_id": cart_id,
        "expires_at": None,
    }
    # Priced as a customer's cart, at the list prices: campaigns quotes signed-in customers.
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["lines"], body["total"], body["prices_confirmed"]) == (
        [line(tea, 3, 1500), line(mug, 1, 800)],
        cny(5300),
        False,
    )
    assert changed.headers["cache-control"] == "no-store"
    assert [entry["sku_id"] for entry in removed.json()["lines"]] == [tea]
    assert read.json()["lines"] == [line(tea, 3, 1500)]
    assert read.json()["cart_id"] == cart_id
    # An anonymous cart reaches no one: its changes publish nothing.
    assert await _outbox_of(trade, ADDED, [tea, mug]) == []
    assert await _outbox_of(trade, REMOVED, [tea, mug]) == []
    async with trade.db.session() as session:
        stored = await session.get(AnonymousCart, UUID(cart_id))
    assert stored.token_hash == token_hash(token) != token


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_without_its_token_no_one_reaches_an_anonymous_cart(trade):
    tea = await trade.product(1500)
    _, someone = await trade.customer()
    async with trade.platform.client("orders") as visitor, someone:
        _, token = await _open(visitor)
        held = {"X-Cart-Token": token}
        await visitor.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 2}, headers=held)
        wrong = {"X-Cart-Token": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")}
        tries = [
            await visitor.get(ANONYMOUS, headers=wrong),
            await visitor.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 9}, headers=wrong),
            await visitor.delete(f"{ANONYMOUS}/items/{tea}", headers=wrong),
            await someone.get(ANONYMOUS, headers=wrong),
            await someone.post(f"{MINE}/merge", headers=wrong),
        ]
        missing = [
            await visitor.get(ANONYMOUS),
            await someone.get(ANONYMOUS),
            await someone.post(f"{MINE}/merge"),
        ]
        theirs = await someone.get(MINE)
        still = await visitor.get(ANONYMOUS, headers=held)

    # The same 404 as a token that never opened a cart: nothing says this one exists.
    assert {(t.status_code, t.json()["detail"]) for t in tries} == {(404, NO_CART)}
    assert {t.headers["content-type"] for t in tries} == {"application/problem+json"}
    for response in missing:
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["header.X-Cart-Token"]
    assert theirs.json()["lines"] == []
    assert still.json()["lines"] == [line(tea, 2, 1500)]


@pytest.mark.parametrize(
    ("quantity", "field"), [(0, "body.quantity"), (1000, "body.quantity"), ("2", "body.quantity")]
)
async def test_an_anonymous_cart_refuses_a_bad_quantity_naming_it(trade, quantity, field):
    sku = await trade.product()
    async with trade.platform.client("orders") as visitor:
        _, token = await _open(visitor)
        held = {"X-Cart-Token": token}
        refused = await visitor.put(
            f"{ANONYMOUS}/items/{sku}", json={"quantity": quantity}, headers=held
        )
        cart = await visitor.get(ANONYMOUS, headers=held)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.quantity"]
    assert cart.json()["lines"] == []


async def test_an_anonymous_cart_refuses_what_cannot_be_ordered_naming_the_sku(trade):
    delisted, unknown = await trade.product(), new_id()
    await _delist(trade, delisted)
    async with trade.platform.client("orders") as visitor:
        _, token = await _open(visitor)
        held = {"X-Cart-Token": token}
        refused = {
            sku: await visitor.put(f"{ANONYMOUS}/items/{sku}", json={"quantity": 1}, headers=held)
            for sku in (unknown, delisted)
        }
        absent = await visitor.delete(f"{ANONYMOUS}/items/{new_id()}", headers=held)
        cart = await visitor.get(ANONYMOUS, headers=held)
    assert {sku: (r.status_code, r.json()["errors"][0]["field"]) for sku, r in refused.items()} == {
        unknown: (422, "path.sku_id"),
        delisted: (422, "path.sku_id"),
    }
    assert (
        refused[delisted].json()["errors"][0]["message"]
        == f"{delisted} was delisted: it is not on sale"
    )
    assert absent.status_code == 404
    assert cart.json()["lines"] == []


async def test_signing_in_merges_the_anonymous_cart_once(trade):
    tea, mug, gone = await trade.product(1500), await trade.product(800), await trade.product(300)
    customer_id, client = await trade.customer()
    async with trade.platform.client("orders") as visitor, client:
        await client.put(f"{MINE}/items/{tea}", json={"quantity": 2})
        cart_id, token = await _open(visitor)
        held = {"X-Cart-Token": token}
        for sku, quantity in ((tea, 998), (mug, 1), (gone, 4)):
            await visitor.put(f"{ANONYMOUS}/items/{sku}", json={"quantity": quantity}, headers=held)
        await _delist(trade, gone)
        merged = await client.post(f"{MINE}/merge", headers=held)
        again = await client.post(f"{MINE}/merge", headers=held)
        after = await client.get(MINE)
        anonymous = await visitor.get(ANONYMOUS, headers=held)

    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["lines"] == [line(tea, 999, 1500), line(mug, 1, 800)]
    assert (body["total"], body["prices_confirmed"]) == (cny(999 * 1500 + 800), True)
    assert body["merged_cart_id"] == cart_id
    assert body["left_out"] == [
        {"sku_id": tea, "quantity": 1, "reason": CAPPED},
        {"sku_id": gone, "quantity": 4, "reason": f"{gone} was delisted: it is not on sale"},
    ]
    # The anonymous cart is gone: a repeat is a 404 and adds nothing.
    assert (again.status_code, again.json()["detail"]) == (404, NO_CART)
    assert anonymous.status_code == 404
    assert after.json()["lines"] == body["lines"]
    added = await trade.staged(ADDED, customer_id)
    assert [(e["data"]["sku_id"], e["data"]["quantity"]) for e in added] == [
        (tea, 2),
        (tea, 999),
        (mug, 1),
    ]
    assert added[2]["data"]["unit_price"] == cny(800)
    async with trade.db.session() as session:
        lines = await session.scalar(
            select(func.count()).select_from(CartLine).where(CartLine.owner_id == UUID(cart_id))
        )
    assert lines == 0


async def test_an_anonymous_cart_untouched_for_its_time_to_live_is_gone(trade):
    tea = await trade.product(1500)
    _, client = await trade.customer()
    async with trade.platform.client("orders") as visitor, client:
        kept_id, kept = await _open(visitor)
        cart_id, token = await _open(visitor)
        held = {"X-Cart-Token": token}
        for secret in (token, kept):
            await visitor.put(
                f"{ANONYMOUS}/items/{tea}", json={"quantity": 1}, headers={"X-Cart-Token": secret}
            )
        async with trade.db.session() as session, session.begin():
            await session.execute(
                update(AnonymousCart)
                .where(AnonymousCart.id == UUID(cart_id))
                .values(touched_at=now() - timedelta(days=30, seconds=1))
            )
        tries = [
            await visitor.get(ANONYMOUS, headers=held),
            await visitor.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 2}, headers=held),
            await client.post(f"{MINE}/merge", headers=held),
        ]
        alive = await visitor.get(ANONYMOUS, headers={"X-Cart-Token": kept})

    assert {(t.status_code, t.json()["detail"]) for t in tries} == {(404, NO_CART)}
    assert alive.json()["lines"] == [line(tea, 1, 1500)]

    async def deleted() -> bool:
        async with trade.db.session() as session:
            carts = await session.scalar(
                select(func.count()).where(AnonymousCart.id == UUID(cart_id))
            )
            lines = await session.scalar(
                select(func.count()).where(CartLine.owner_id == UUID(cart_id))
            )
        return carts == lines == 0

    await eventually(deleted, within=10)  # the scheduler's turn (every 0.2 s here)
    async with trade.db.session() as session:
        assert await session.get(AnonymousCart, UUID(kept_id)) is not None


async def test_through_the_gateway_a_visitor_needs_no_sign_in_and_the_merge_does(
    platform, tmp_path
):
    """The routes' policies reach the gateway from the service's document, no edit there."""
    db = Database(platform.database_url("orders"), service="probe")
    try:
        tea = str(await offer_sku(db, 1500))
    finally:
        await db.dispose()
    _, token = await platform.customer()
    async with gateway_for(platform, tmp_path / "gateway.db") as edge:
        created = await edge.post(CARTS)
        held = {"X-Cart-Token": created.json()["token"]}
        put = await edge.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 2}, headers=held)
        unsigned = await edge.post(f"{MINE}/merge", headers=held)
        signed = {**held, "Authorization": f"Bearer {token}"}
        merged = await edge.post(f"{MINE}/merge", headers=signed)

    assert (created.status_code, put.status_code) == (201, 200)
    assert put.json()["lines"] == [line(tea, 2, 1500)]
    assert unsigned.status_code == 401
    assert merged.status_code == 200, merged.text
    assert [(entry["sku_id"], entry["quantity"]) for entry in merged.json()["lines"]] == [(tea, 2)]


async def test_an_erased_customer_cannot_merge_and_the_anonymous_cart_stays(trade):
    tea = await trade.product(1500)
    customer_id, client = await trade.customer()
    async with trade.db.session() as session, session.begin():
        await privacy.erase(session, UUID(customer_id), now())
    async with trade.platform.client("orders") as visitor, client:
        _, token = await _open(visitor)
        held = {"X-Cart-Token": token}
        await visitor.put(f"{ANONYMOUS}/items/{tea}", json={"quantity": 1}, headers=held)
        refused = await client.post(f"{MINE}/merge", headers=held)
        still = await visitor.get(ANONYMOUS, headers=held)
    assert refused.status_code == 403
    assert still.json()["lines"] == [line(tea, 1, 1500)]
    assert await trade.staged(ADDED, customer_id) == []
