"""Refunds under real concurrency, on SQLite and PostgreSQL: concurrent refunds and after-sales
requests of one order line never claim more than was paid for it, nor more units than it has,
and the provider is asked for exactly what was granted; the shipping fee goes back once, with
the refund that leaves nothing of the lines, unless that one settles a return."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from orders_catalog import address, offer_sku
from sqlalchemy import select

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import ServiceServer
from services.orders.app import create_app
from services.orders.checkout.models import Order, OrderLineRow
from services.orders.refunds import service as refunds
from services.orders.refunds.service import Portion
from services.orders.saga import service as saga
from services.orders.saga.coordinator import Answer, Participant

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
AFTERSALES = "/api/v1/orders/aftersales"
TEMPLATES = "/api/v1/orders/freight-templates"
REFUNDED = "flywheel.orders.refund.completed.v1"


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


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
        return await self.paid_lines((unit_price, quantity))

    async def paid_lines(self, *lines: tuple[int, int], region: str | None = None) -> dict:
        """An order of a new SKU per (unit price, quantity) line (shipped to `region`),
        placed over HTTP, its stock answered, paid by callback."""
        body: dict = {
            "lines": [
                {"sku_id": str(await offer_sku(self.db, price)), "quantity": quantity}
                for price, quantity in lines
            ]
        }
        if region is not None:
            body["shipping_address"] = address(region)
        placed = await self.customer.post(ORDERS, json=body)
        assert placed.status_code == 201, placed.text
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

    async def charge_shipping(self) -> None:
        """A freight template applies: 1000 for the first item, 500 per more."""
        template = {
            "name": "Standard",
            "default": {"first_fee": _cny(1000), "extra_fee": _cny(500)},
        }
        created = await self.operator.post(TEMPLATES, json=template)
        activated = await self.operator.post(f"{TEMPLATES}/{created.json()['id']}/activate")
        assert activated.status_code == 200, activated.text

    async def refund_events(self, order: dict) -> list[dict]:
        """The RefundCompleted events of the order in the outbox (the service is off the
        broker)."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(outbox.c.payload).where(
                    outbox.c.type == REFUNDED, outbox.c.key == str(UUID(order["id"]))
                )
            )
            return [json.loads(row)["data"] for row in rows]

    async def shipping_refund_id(self, order: dict) -> UUID | None:
        async with self.db.session() as session:
            return await session.scalar(
                select(Order.shipping_refund_id).where(Order.id == UUID(order["id"]))
            )

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


async def test_racing_refunds_of_a_whole_order_give_its_shipping_back_once(shop):
    await shop.charge_shipping()
    order = await shop.paid_lines((500, 1), (700, 1), region="CN-BJ")  # shipping 1500
    assert (order["shipping_fee"], order["total"]) == (_cny(1500), _cny(2700))
    refunds = f"{ORDERS}/{order['id']}/refunds"

    def lines(line_no: int, amount: int) -> dict:
        return {"lines": [{"line_no": line_no, "amount": _cny(amount)}], "reason": "lost"}

    responses = await asyncio.gather(
        shop.operator.post(refunds, json=lines(0, 500)),
        shop.operator.post(refunds, json=lines(1, 700)),
        *(shop.operator.post(refunds, json={"full": True, "reason": "lost"}) for _ in range(3)),
    )

    granted = [r.json() for r in responses if r.status_code == 201]
    assert sum(r["amount"]["amount"] for r in granted) == 2700  # everything paid, once
    (with_shipping,) = [r for r in granted if r["shipping_fee"] is not None]
    assert with_shipping["shipping_fee"] == _cny(1500)
    assert await shop.shipping_refund_id(order) == UUID(with_shipping["id"])
    given = {rid: amount.amount for rid, (_, amount) in shop.provider.refunds.items()}
    assert sum(given[UUID(r["id"])] for r in granted) == 2700
    events = await shop.refund_events(order)
    assert sorted(e["amount"]["amount"] for e in events) == sorted(
        r["amount"]["amount"] for r in granted
    )
    assert [e["shipping_fee"] for e in events if e["shipping_fee"]] == [_cny(1500)]


async def test_approvals_of_refunds_only_racing_for_the_last_lines_give_shipping_back_once(shop):
    await shop.charge_shipping()
    order = await shop.paid_lines((400, 2), (900, 1), region="CN-BJ")  # 3 items: shipping 2000
    ask = f"{ORDERS}/{order['id']}/aftersales"

    def refund_only(line_no: int, quantity: int) -> dict:
        return {
            "kind": "refund_only",
            "reason": "not sent",
            "lines": [{"line_no": line_no, "quantity": quantity}],
        }

    asked = [
        await shop.customer.post(ask, json=refund_only(n, q)) for n, q in ((0, 1), (0, 1), (1, 1))
    ]
    assert [a.status_code for a in asked] == [201] * 3, asked[-1].text

    approved = await asyncio.gather(
        *(shop.operator.post(f"{AFTERSALES}/{a.json()['id']}/approve", json={}) for a in asked)
    )

    assert [a.status_code for a in approved] == [200] * 3
    listed = (await shop.customer.get(f"{ORDERS}/{order['id']}/refunds")).json()
    assert sum(r["amount"]["amount"] for r in listed) == 800 + 900 + 2000
    assert [r["shipping_fee"] for r in listed if r["shipping_fee"]] == [_cny(2000)]


async def test_a_return_of_the_whole_order_keeps_the_shipping_fee(shop):
    await shop.charge_shipping()
    order = await shop.paid_lines((600, 1), region="CN-BJ")  # shipping 1000
    shipped = await shop.operator.post(
        f"{ORDERS}/{order['id']}/shipments",
        json={"carrier": "SF Express", "tracking_number": "SF1234567890"},
    )
    assert shipped.status_code == 201, shipped.text
    asked = await shop.customer.post(
        f"{ORDERS}/{order['id']}/aftersales",
        json={
            "kind": "return_and_refund",
            "reason": "does not fit",
            "lines": [{"line_no": 0, "quantity": 1}],
        },
    )
    aftersale = asked.json()["id"]
    await shop.operator.post(f"{AFTERSALES}/{aftersale}/approve", json={})
    received = await shop.operator.post(
        f"{AFTERSALES}/{aftersale}/receipt", json={"resaleable": True}
    )
    after = await shop.operator.post(
        f"{ORDERS}/{order['id']}/refunds", json={"full": True, "reason": "again"}
    )

    assert received.status_code == 200, received.text
    (refund,) = (await shop.customer.get(f"{ORDERS}/{order['id']}/refunds")).json()
    assert (refund["amount"], refund["shipping_fee"]) == (_cny(600), None)
    assert after.status_code == 409  # nothing of the lines is left, and the fee stays
    assert await shop.shipping_refund_id(order) is None


async def test_the_shipping_fee_is_taken_by_a_guarded_update_without_any_lock(shop):
    """Refunds racing with no order row locked (what every caller does first), each leaving
    nothing of the lines: the guarded UPDATE lets one of them take the fee."""
    await shop.charge_shipping()
    order = await shop.paid_lines((500, 1), region="CN-BJ")  # shipping 1000

    async def take() -> int:
        async with shop.db.session() as session, session.begin():
            placed = await session.get(Order, UUID(order["id"]))
            line = placed.lines[0]
            return await refunds.shipping_back(
                session, placed, [Portion(line, 0, line.paid_amount)], None, new_id()
            )

    taken = await asyncio.gather(*(take() for _ in range(8)))

    assert sorted(taken) == [0] * 7 + [1000]
