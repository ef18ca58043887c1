"""Refunds under real concurrency, on SQLite and PostgreSQL: concurrent refunds and after-sales
requests of one order line never claim more than was paid for it, nor more units than it has,
and the provider is asked for exactly what was granted."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from orders_catalog import offer_sku

from chassis.clock import now
from chassis.db import Database
from chassis.money import Money
from chassis.testing import ServiceServer
from services.orders.app import create_app
from services.orders.checkout.models import OrderLineRow
from services.orders.refunds import service as refunds
from services.orders.refunds.service import Portion
from services.orders.saga import service as saga
from services.orders.saga.coordinator import Answer, Participant

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"


@dataclass
class Shop:
    server: ServiceServer
    db: Database
    customer: httpx.AsyncClient
    operator: httpx.AsyncClient

    @property
    def provider(self):
        return self.server.app.state.payment_provider

    async def paid_order(self, unit_price: int, quantity: int) -> dict:
        """An order of one line, placed over HTTP, its stock answered, paid by callback."""
        sku = await offer_sku(self.db, unit_price)
        placed = await self.customer.post(
            ORDERS, json={"lines": [{"sku_id": str(sku), "quantity": quantity}]}
        )
        order_id = UUID(placed.json()["id"])
        async with self.db.session() as session, session.begin():
            await saga.answer(
                session,
                order_id,
                Participant.STOCK,
                Answer(True),
                cause="stock reserved",
                payment_window=timedelta(minutes=15),
            )
        payment = (await self.customer.post(f"{ORDERS}/{order_id}/payments", json={})).json()
        body, headers = self.provider.callback(
            UUID(payment["id"]), order_id, Money.model_validate(payment["amount"]), now()
        )
        paid = await self.customer.post(
            "/api/v1/orders/payments/callback", content=body, headers=headers
        )
        assert paid.json()["order_status"] == "paid", paid.text
        return (await self.customer.get(f"{ORDERS}/{order_id}")).json()

    async def line(self, order: dict) -> OrderLineRow:
        async with self.db.session() as session:
            return await session.get(OrderLineRow, (UUID(order["id"]), 0))


@pytest.fixture
async def shop(platform, database_url) -> AsyncIterator[Shop]:
    """An orders service of its own on the backend under test (off the broker: its outbox
    keeps what it would publish)."""
    url = database_url("orders")
    server = await ServiceServer(
        create_app(platform.settings("orders", database_url=url, kafka_enabled=False))
    ).start()
    db = Database(url, service="probe")
    _, customer_token = await platform.customer()
    _, operator_token = await platform.staff("operator")

    def client(token: str) -> httpx.AsyncClient:
        auth = {"Authorization": f"Bearer {token}"}
        return httpx.AsyncClient(base_url=server.url, headers=auth, timeout=60)

    async with client(customer_token) as customer, client(operator_token) as operator:
        yield Shop(server, db, customer, operator)
    await server.stop()
    await db.dispose()


async def test_ten_concurrent_refunds_of_one_line_never_exceed_what_was_paid(shop):
    order = await shop.paid_order(500, 2)  # the line paid 1000
    body = {"lines": [{"line_no": 0, "amount": {"amount": 400, "currency": "CNY"}}], "reason": "x"}

    responses = await asyncio.gather(
        *(shop.operator.post(f"{ORDERS}/{order['id']}/refunds", json=body) for _ in range(10))
    )

    assert sorted(r.status_code for r in responses) == [201] * 2 + [422] * 8
    refused = next(r for r in responses if r.status_code == 422)
    assert refused.json()["errors"][0]["field"] == "body.lines.0.amount"
    granted = {UUID(r.json()["id"]) for r in responses if r.status_code == 201}
    given = {rid: amount.amount for rid, (_, amount) in shop.provider.refunds.items()}
    assert {rid: given[rid] for rid in granted} == {rid: 400 for rid in granted}
    assert (await shop.line(order)).claimed_refund == 800
    listed = (await shop.customer.get(f"{ORDERS}/{order['id']}/refunds")).json()
    assert sum(r["amount"]["amount"] for r in listed) == 800


async def test_concurrent_requests_for_a_lines_units_ask_each_unit_once(shop):
    order = await shop.paid_order(333, 2)  # 666 for two units
    body = {"kind": "refund_only", "reason": "late", "lines": [{"line_no": 0, "quantity": 1}]}

    responses = await asyncio.gather(
        *(shop.customer.post(f"{ORDERS}/{order['id']}/aftersales", json=body) for _ in range(8))
    )

    assert sorted(r.status_code for r in responses) == [201] * 2 + [422] * 6
    asked = sorted(r.json()["amount"]["amount"] for r in responses if r.status_code == 201)
    assert asked == [333, 333]
    line = await shop.line(order)
    assert (line.claimed_units, line.claimed_refund) == (2, 666)


async def test_the_claim_itself_is_guarded_without_any_lock(shop):
    """Claims racing with no order row locked (what every caller does first): the guarded
    UPDATE alone lets three of ten 300s into a line paid 1000."""
    order = await shop.paid_order(1000, 1)
    line = await shop.line(order)

    async def claim() -> bool:
        async with shop.db.session() as session, session.begin():
            return await refunds.claim(session, Portion(line, 0, 300))

    claimed = await asyncio.gather(*(claim() for _ in range(10)))

    assert claimed.count(True) == 3
    assert (await shop.line(order)).claimed_refund == 900
