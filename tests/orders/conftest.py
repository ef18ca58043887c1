"""An orders service of its own for the saga's tests: its own broker (the session platform's
catalog, campaigns and users will answer orders themselves once they take part in the saga),
with the participants' replies published by the test through that broker."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from orders_catalog import offer_sku
from sqlalchemy import select
from stack import Platform

from chassis.broker import TansuBroker
from chassis.clock import now
from chassis.db import Database
from chassis.events.envelope import CONTENT_TYPE, CloudEvent, EventData
from chassis.events.outbox import envelope_for
from chassis.events.registry import registry
from chassis.events.tables import inbox, outbox
from chassis.money import Money
from chassis.testing import ServiceServer, eventually
from contracts import load_contracts
from contracts.catalog import StockLine, StockReserved
from services.orders.app import create_app
from services.orders.saga.models import SagaAnswer

ORDERS = "/api/v1/orders/orders"

CALLBACK = "/api/v1/orders/payments/callback"
SWEEP_SECONDS = 0.2


@dataclass
class Trade:
    """The orders service on its own broker, and what a test needs to drive the saga."""

    platform: Platform
    producer: AIOKafkaProducer
    db: Database

    @property
    def bootstrap_servers(self) -> str:
        return self.platform.broker.bootstrap_servers

    async def product(self, amount: int = 1999, currency: str = "CNY") -> str:
        """A listed SKU the orders service knows, applied to its read model as catalog's
        ProductCreated would be."""
        return str(await offer_sku(self.db, amount, currency))

    async def customer(self) -> tuple[str, httpx.AsyncClient]:
        user_id, token = await self.platform.customer()
        return user_id, self.platform.client("orders", token)

    async def reply(self, data: EventData, *, again: CloudEvent | None = None) -> CloudEvent:
        """Publish a participant's reply as its service would (or the same event again)."""
        spec = registry.of(data)
        envelope = again or envelope_for(data, source=f"/flywheel/{spec.service}")
        await self.producer.send_and_wait(
            spec.topic,
            envelope.to_bytes(),
            key=envelope.subject.encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
        return envelope

    async def place(self, client: httpx.AsyncClient, sku: str, quantity: int = 1, **extra) -> dict:
        body = {"lines": [{"sku_id": sku, "quantity": quantity}], **extra}
        placed = await client.post(ORDERS, json=body)
        assert placed.status_code == 201, placed.text
        return placed.json()

    async def reserve(self, client: httpx.AsyncClient, order: dict) -> dict:
        """Catalog reserves the order's stock: the order (needing nothing else) awaits payment."""
        lines = [
            StockLine(sku_id=UUID(line["sku_id"]), quantity=line["quantity"])
            for line in order["lines"]
        ]
        expires = now() + timedelta(minutes=30)
        await self.reply(StockReserved(order_id=UUID(order["id"]), lines=lines, expires_at=expires))
        return await self.order_when(client, order["id"], "awaiting_payment")

    async def pay(self, client: httpx.AsyncClient, order: dict) -> dict:
        """Open the order's payment and deliver the provider's signed callback for it."""
        opened = await client.post(f"{ORDERS}/{order['id']}/payments", json={})
        assert opened.status_code == 201, opened.text
        payment = opened.json()
        provider = self.platform.servers["orders"].app.state.payment_provider
        amount = Money.model_validate(payment["amount"])
        body, headers = provider.callback(UUID(payment["id"]), UUID(order["id"]), amount, now())
        paid = await client.post(CALLBACK, content=body, headers=headers)
        assert paid.json()["order_status"] == "paid", paid.text
        return payment

    async def paid(self, client: httpx.AsyncClient, amount: int = 1200) -> dict:
        """A new order of one SKU at `amount`, reserved and paid."""
        return await self.paid_lines(client, (amount, 1))

    async def paid_lines(self, client: httpx.AsyncClient, *lines: tuple[int, int]) -> dict:
        """A new order of a new SKU per (unit price, quantity) line, reserved and paid."""
        body = {
            "lines": [
                {"sku_id": await self.product(amount), "quantity": quantity}
                for amount, quantity in lines
            ]
        }
        placed = await client.post(ORDERS, json=body)
        assert placed.status_code == 201, placed.text
        order = await self.reserve(client, placed.json())
        await self.pay(client, order)
        return (await client.get(f"{ORDERS}/{order['id']}")).json()

    async def order_when(self, client: httpx.AsyncClient, order_id: str, status: str) -> dict:
        async def reached() -> dict | None:
            order = (await client.get(f"{ORDERS}/{order_id}")).json()
            return order if order["status"] == status else None

        return await eventually(reached, within=20)

    async def answered(self, order_id: str) -> set[str]:
        """The participants whose answer about the order the saga has recorded."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(SagaAnswer.participant).where(SagaAnswer.order_id == UUID(order_id))
            )
            return {str(row) for row in rows}

    async def applied(self, event: CloudEvent) -> bool:
        """Whether the orders service has consumed the event (its inbox holds its id)."""
        async with self.db.session() as session:
            query = select(inbox.c.event_id).where(inbox.c.event_id == event.id)
            return await session.scalar(query) is not None

    async def staged(self, type_: str, key: str) -> list[dict]:
        """The events of `type_` keyed by `key` (an order or a customer id) in the orders
        outbox, published or not."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(outbox.c.payload).where(
                    outbox.c.type == type_, outbox.c.key == str(UUID(key))
                )
            )
            return [json.loads(row) for row in rows]


def quote_stand_in() -> FastAPI:
    """Campaigns' quote as these tests' stand-in (they reply for campaigns over the broker
    too): no campaign prices any line, and every coupon applies and discounts nothing.
    `test_checkout_quote.py` and `test_campaign_prices.py` ask the real campaigns service."""
    app = FastAPI()

    @app.post("/api/v1/campaigns/quote")
    async def quote(body: dict) -> dict:
        lines = body["lines"]
        zero = {"amount": 0, "currency": lines[0]["unit_price"]["currency"]}
        return {
            "lines": [
                {
                    "sku_id": line["sku_id"],
                    "unit_price": line["unit_price"],
                    "campaign_id": None,
                    "discount": zero,
                }
                for line in lines
            ],
            "not_applied": [],
        }

    return app


@asynccontextmanager
async def running_trade(directory, campaigns: str | None) -> AsyncIterator[Trade]:
    """Orders on a broker of its own, with users signing customers in, and campaigns' quote
    from `campaigns` ("stand-in": the stand-in above; "real": the campaigns service)."""
    with TansuBroker(topics=load_contracts().topics()) as broker:
        platform = Platform(broker, lambda name: f"sqlite+aiosqlite:///{directory / name}.db")
        # Users only signs customers in here: off the broker, or it would answer orders
        # that redeem points itself (it takes part in the saga), and the tests reply for it.
        await platform.start("users", kafka_enabled=False)
        if campaigns == "real":
            quotes = await platform.start("campaigns")
        else:
            quotes = await ServiceServer(quote_stand_in()).start()
            platform.servers["quotes"] = quotes
        await platform.start("orders", schedule_seconds=SWEEP_SECONDS, campaigns_url=quotes.url)
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
        await producer.start()
        db = Database(platform.database_url("orders"), service="probe")
        try:
            yield Trade(platform, producer, db)
        finally:
            await db.dispose()
            await producer.stop()
            await platform.stop()


@pytest.fixture(scope="module")
async def trade(tmp_path_factory) -> AsyncIterator[Trade]:
    async with running_trade(tmp_path_factory.mktemp("trade"), "stand-in") as running:
        yield running


@pytest.fixture
async def db(service_db) -> Database:
    """A migrated orders database of its own on the backend under test."""
    return await service_db("orders")


@pytest.fixture
async def orders_db(platform, database_url):
    """A migrated orders database of its own on the backend under test."""
    url = database_url("orders")
    server = await ServiceServer(
        create_app(platform.settings("orders", database_url=url, kafka_enabled=False))
    ).start()
    await server.stop()
    db = Database(url, service="probe")
    yield db
    await db.dispose()
