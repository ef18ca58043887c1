"""Checkout retried with one Idempotency-Key, concurrently, on SQLite and PostgreSQL: one
order, one OrderPlaced, every caller the same 201."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from orders_catalog import offer_sku
from sqlalchemy import func, select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import ServiceServer
from services.orders.app import create_app
from services.orders.checkout.models import Order

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"


@dataclass
class Checkout:
    orders: httpx.AsyncClient
    db: Database
    tea: str

    def order(self, quantity: int) -> dict:
        return {"lines": [{"sku_id": self.tea, "quantity": quantity}]}

    async def count(self, table) -> int:
        async with self.db.session() as session:
            return await session.scalar(select(func.count()).select_from(table))


@pytest.fixture
async def checkout(platform, database_url) -> AsyncIterator[Checkout]:
    """An orders service of its own on the backend under test (without the broker: its
    consumer group would take partitions from the platform's), with a product it knows
    written straight into its read model."""
    url = database_url("orders")
    server = await ServiceServer(
        create_app(platform.settings("orders", database_url=url, kafka_enabled=False))
    ).start()
    db = Database(url, service="probe")
    tea = await offer_sku(db)
    _, token = await platform.customer()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as orders:
        yield Checkout(orders, db, str(tea))
    await server.stop()
    await db.dispose()


async def test_twenty_concurrent_duplicates_place_one_order(checkout):
    key = {"Idempotency-Key": f"burst-{new_id().hex}"}

    responses = await asyncio.gather(
        *(checkout.orders.post(ORDERS, json=checkout.order(2), headers=key) for _ in range(20))
    )

    assert [r.status_code for r in responses] == [201] * 20
    assert len({r.content for r in responses}) == 1
    order = responses[0].json()
    assert {r.headers["Location"] for r in responses} == {f"{ORDERS}/{order['id']}"}
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert await checkout.count(Order) == 1
    assert await checkout.count(outbox) == 1  # one OrderPlaced
    assert (await checkout.orders.get(f"{ORDERS}/{order['id']}")).json() == order

    other = await checkout.orders.post(ORDERS, json=checkout.order(3), headers=key)
    assert other.status_code == 422
    assert [e["field"] for e in other.json()["errors"]] == ["header.Idempotency-Key"]
    assert await checkout.count(Order) == 1


async def test_eight_parallel_retries_are_all_201_with_one_order_listed(checkout):
    key = {"Idempotency-Key": f"retry-{new_id().hex}"}

    responses = await asyncio.gather(
        *(checkout.orders.post(ORDERS, json=checkout.order(1), headers=key) for _ in range(8))
    )

    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["id"] for r in responses}) == 1
    listed = (await checkout.orders.get(ORDERS)).json()["items"]
    assert [o["id"] for o in listed] == [responses[0].json()["id"]]
