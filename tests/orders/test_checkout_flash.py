"""Flash-sale orders at checkout, against the real campaigns service: an order naming the
customer's flash reservation is priced at the flash price on its SKU's line and carries the
reservation and its session in the attribution (campaigns then takes the reservation for it
through the real broker; a retry with the same Idempotency-Key replays the order); a
reservation that is another's, unknown, for a SKU not ordered or fewer units than ordered is
a 422 naming the field, one already ordered or expired a 409, campaigns away a 503 with
Retry-After; nothing is written for any of them. Of concurrent checkouts naming one
reservation one order is placed, the others are a 409 (the winner's retry still replays); a
cancelled order's reservation, released by campaigns, is a 409."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from conftest import ORDERS, Trade, running_trade
from sqlalchemy import update

from chassis.clock import now
from chassis.db import Database
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.catalog import FlashStockHeld
from services.campaigns.flash.models import FlashReservation
from services.orders.checkout.quotes import CampaignsQuotes

pytestmark = pytest.mark.asyncio
FLASH = "/api/v1/campaigns/flash"
PLACED = "flywheel.orders.order.placed.v1"
FLASH_PRICE = {"amount": 990, "currency": "CNY"}


@pytest.fixture(scope="module")
async def shop(tmp_path_factory) -> AsyncIterator[Trade]:
    async with running_trade(tmp_path_factory.mktemp("flash"), "real") as running:
        yield running


async def _session(shop: Trade, sku: str) -> str:
    """A flash session open now, selling `sku` at the flash price, two per customer."""
    _, token = await shop.platform.staff("operator")
    start = datetime.now(UTC) - timedelta(minutes=1)
    async with shop.platform.client("campaigns", token) as operator:
        created = await operator.post(
            f"{FLASH}/sessions",
            json={
                "name": "双十二 秒杀",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "items": [
                    {"sku_id": sku, "flash_price": FLASH_PRICE, "stock": 50, "per_user_limit": 2}
                ],
            },
        )
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    # No catalog runs here: its answer that the stock is set aside, as it would publish it.
    await shop.reply(
        FlashStockHeld(session_id=UUID(session_id), sku_id=UUID(sku), quantity=50, at=now())
    )

    async def on_sale() -> bool:
        async with shop.platform.client("campaigns") as anyone:
            return (await anyone.get(f"{FLASH}/sessions/{session_id}")).json()["state"] == "held"

    assert await eventually(on_sale, within=30)
    return session_id


async def _reserved(shop: Trade, token: str, session_id: str, sku: str, quantity: int) -> str:
    async with shop.platform.client("campaigns", token) as customer:
        reserved = await customer.post(
            f"{FLASH}/{session_id}/reservations", json={"sku_id": sku, "quantity": quantity}
        )
    assert reserved.status_code == 201, reserved.text
    return reserved.json()["id"]


async def _reservation_status(token: str, shop: Trade, reservation: str) -> str:
    async with shop.platform.client("campaigns", token) as customer:
        return (await customer.get(f"{FLASH}/reservations/{reservation}")).json()["status"]


def _field(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    return error["field"]


async def test_a_flash_order_is_priced_at_the_flash_price_and_carries_the_session(shop):
    tea, cup = await shop.product(1999), await shop.product(800)
    session_id = await _session(shop, tea)
    _, token = await shop.platform.customer()
    reservation = await _reserved(shop, token, session_id, tea, 2)
    lines = [{"sku_id": tea, "quantity": 2}, {"sku_id": cup, "quantity": 1}]
    body = {"lines": lines, "flash_reservation_id": reservation}
    key = {"Idempotency-Key": str(new_id())}
    async with shop.platform.client("orders", token) as client:
        placed = await client.post(ORDERS, json=body, headers=key)
        assert placed.status_code == 201, placed.text
        order = placed.json()
        # Campaigns takes the reservation for the order (it checks the flash price itself).
        await eventually(lambda: _coupons_answered(shop, order["id"]), within=20)
        awaiting = await shop.reserve(client, order)
        retried = await client.post(ORDERS, json=body, headers=key)
        again = await client.post(
            ORDERS, json={"lines": lines[:1], "flash_reservation_id": reservation}
        )
        orders = await client.get(ORDERS)

    charged = [
        (x["list_price"]["amount"], x["unit_price"]["amount"], x["paid"]["amount"])
        for x in order["lines"]
    ]
    assert charged == [(1999, 990, 1980), (800, 800, 800)]
    assert order["total"]["amount"] == 1980 + 800
    assert (order["flash_reservation_id"], order["flash_session_id"]) == (reservation, session_id)
    (event,) = await shop.staged(PLACED, order["id"])
    attribution = event["data"]["attribution"]
    assert (
        attribution["flash_reservation_id"],
        attribution["flash_session_id"],
        attribution["flash_sku_id"],
    ) == (reservation, session_id, tea)
    assert awaiting["status"] == "awaiting_payment"
    assert await _reservation_status(token, shop, reservation) == "ordered"
    # The reservation is the first order's now: a retry of that order replays it, and a
    # second order with it is a 409.
    assert (retried.status_code, retried.json()) == (201, order)
    assert retried.headers["idempotent-replayed"] == "true"
    assert _field(again, 409) == "body.flash_reservation_id"
    assert [o["id"] for o in orders.json()["items"]] == [order["id"]]


async def _coupons_answered(shop: Trade, order_id: str) -> bool:
    return "coupons" in await shop.answered(order_id)


async def test_a_reservation_the_order_cannot_take_is_refused_naming_the_field(shop):
    tea, cup = await shop.product(1999), await shop.product(800)
    session_id = await _session(shop, tea)
    _, token = await shop.platform.customer()
    _, stranger = await shop.platform.customer()
    mine = await _reserved(shop, token, session_id, tea, 2)
    theirs = await _reserved(shop, stranger, session_id, tea, 1)
    two = [{"sku_id": tea, "quantity": 2}]
    async with shop.platform.client("orders", token) as client:

        async def order(lines, reservation, **extra):
            return await client.post(
                ORDERS, json={"lines": lines, "flash_reservation_id": reservation, **extra}
            )

        another_customers = await order([{"sku_id": tea, "quantity": 1}], theirs)
        unknown = await order(two, str(new_id()))
        other_sku = await order([{"sku_id": cup, "quantity": 1}], mine)
        too_many = await order([{"sku_id": tea, "quantity": 3}], mine)
        twice = await order([*two, {"sku_id": tea, "quantity": 1}], mine)
        with_group = await order(two, mine, group_id=str(new_id()))
        orders = await client.get(ORDERS)

    assert _field(another_customers, 422) == "body.flash_reservation_id"
    assert _field(unknown, 422) == "body.flash_reservation_id"
    assert _field(other_sku, 422) == "body.lines"
    assert tea in other_sku.json()["detail"]
    assert _field(too_many, 422) == "body.lines.0.quantity"
    assert _field(twice, 422) == "body.lines.1.sku_id"
    assert _field(with_group, 422) == "body.flash_reservation_id"
    assert orders.json()["items"] == []
    # Nothing of it reached campaigns: both reservations are still held.
    assert await _reservation_status(token, shop, mine) == "reserved"
    assert await _reservation_status(stranger, shop, theirs) == "reserved"


async def test_an_expired_reservation_is_a_409(shop):
    tea = await shop.product(1999)
    session_id = await _session(shop, tea)
    _, token = await shop.platform.customer()
    reservation = await _reserved(shop, token, session_id, tea, 1)
    assert await _reservation_status(token, shop, reservation) == "reserved"  # written down
    # The clock's part: the reservation's time ran out (campaigns' scheduler may also mark it
    # expired meanwhile; either is a reservation that can no longer be ordered).
    campaigns = Database(shop.platform.database_url("campaigns"), service="probe")
    try:
        async with campaigns.session() as session, session.begin():
            await session.execute(
                update(FlashReservation)
                .where(FlashReservation.id == UUID(reservation))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        await campaigns.dispose()
    async with shop.platform.client("orders", token) as client:
        refused = await client.post(
            ORDERS,
            json={"lines": [{"sku_id": tea, "quantity": 1}], "flash_reservation_id": reservation},
        )
        orders = await client.get(ORDERS)
    assert _field(refused, 409) == "body.flash_reservation_id"
    assert "expire" in refused.json()["detail"]
    assert orders.json()["items"] == []


async def test_campaigns_away_refuses_a_flash_order_with_503(shop):
    tea = await shop.product(1999)
    session_id = await _session(shop, tea)
    _, token = await shop.platform.customer()
    reservation = await _reserved(shop, token, session_id, tea, 1)
    app = shop.platform.servers["orders"].app
    reachable = app.state.campaigns
    app.state.campaigns = CampaignsQuotes("http://127.0.0.1:1", timeout_seconds=0.5)
    try:
        async with shop.platform.client("orders", token) as client:
            line = {"sku_id": tea, "quantity": 1}
            refused = await client.post(
                ORDERS, json={"lines": [line], "flash_reservation_id": reservation}
            )
            orders = await client.get(ORDERS)
    finally:
        await app.state.campaigns.close()
        app.state.campaigns = reachable
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert "flash reservation" in refused.json()["detail"]
    assert orders.json()["items"] == []


async def test_concurrent_checkouts_naming_one_reservation_place_one_order(shop):
    tea = await shop.product(1999)
    session_id = await _session(shop, tea)
    _, token = await shop.platform.customer()
    reservation = await _reserved(shop, token, session_id, tea, 1)
    body = {"lines": [{"sku_id": tea, "quantity": 1}], "flash_reservation_id": reservation}
    keys = [{"Idempotency-Key": str(new_id())} for _ in range(10)]
    async with shop.platform.client("orders", token) as client:
        answers = await asyncio.gather(*(client.post(ORDERS, json=body, headers=k) for k in keys))
        (winner,) = [n for n, answer in enumerate(answers) if answer.status_code == 201]
        retried = await client.post(ORDERS, json=body, headers=keys[winner])
        orders = await client.get(ORDERS)

    losers = [answer for n, answer in enumerate(answers) if n != winner]
    assert {_field(answer, 409) for answer in losers} == {"body.flash_reservation_id"}
    assert (retried.status_code, retried.json()) == (201, answers[winner].json())
    assert retried.headers["idempotent-replayed"] == "true"
    assert [o["id"] for o in orders.json()["items"]] == [answers[winner].json()["id"]]


async def test_a_cancelled_orders_reservation_released_by_campaigns_is_a_409(shop):
    tea = await shop.product(1999)
    session_id = await _session(shop, tea)
    _, token = await shop.platform.customer()
    reservation = await _reserved(shop, token, session_id, tea, 1)
    body = {"lines": [{"sku_id": tea, "quantity": 1}], "flash_reservation_id": reservation}
    async with shop.platform.client("orders", token) as client:
        first = await shop.place(client, tea, flash_reservation_id=reservation)
        await eventually(lambda: _coupons_answered(shop, first["id"]), within=20)
        cancelled = await client.post(f"{ORDERS}/{first['id']}/cancel")
        assert cancelled.json()["status"] == "cancelled", cancelled.text

        async def released() -> bool:
            return await _reservation_status(token, shop, reservation) == "released"

        await eventually(released, within=20)
        again = await client.post(ORDERS, json=body)
        orders = await client.get(ORDERS)
    assert _field(again, 409) == "body.flash_reservation_id"
    assert "released" in again.json()["detail"]
    assert [o["id"] for o in orders.json()["items"]] == [first["id"]]
