"""Racing requests on one anonymous cart, over HTTP on both backends: merges of it sent at
once have one effect, and puts into it racing its merge are merged or refused, never lost."""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
from orders_catalog import offer_sku
from sqlalchemy import func, select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.testing import ServiceServer
from services.orders.app import create_app
from services.orders.carts.models import CartLine

pytestmark = pytest.mark.asyncio

CARTS = "/api/v1/orders/carts"
ADDED = "flywheel.orders.cart.item_added.v1"
RACERS = 10


@dataclass
class Orders:
    server: ServiceServer
    db: Database

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.server.url, headers=headers, timeout=30)

    async def added(self, customer_id: str) -> list[tuple[str, int]]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(outbox.c.payload)
                .where(outbox.c.type == ADDED, outbox.c.key == customer_id)
                .order_by(outbox.c.seq)
            )
            events = [json.loads(row)["data"] for row in rows]
        return [(e["sku_id"], e["quantity"]) for e in events]

    async def lines_of(self, owner_id: str) -> int:
        async with self.db.session() as session:
            query = select(func.count()).where(CartLine.owner_id == UUID(owner_id))
            return await session.scalar(query)


@pytest.fixture
async def orders(platform, database_url) -> AsyncIterator[Orders]:
    """An orders service of its own on the backend under test (signing in with the session
    platform's users, off the broker: the outbox holds what it would publish)."""
    url = database_url("orders")
    app = create_app(platform.settings("orders", database_url=url, kafka_enabled=False))
    server = await ServiceServer(app).start()
    db = Database(url, service="probe")
    try:
        yield Orders(server, db)
    finally:
        await db.dispose()
        await server.stop()


async def _anonymous_cart(orders: Orders, *lines: tuple[UUID, int]) -> tuple[str, dict]:
    async with orders.client() as visitor:
        created = (await visitor.post(CARTS)).json()
        held = {"X-Cart-Token": created["token"]}
        for sku, quantity in lines:
            put = await visitor.put(
                f"{CARTS}/anonymous/items/{sku}", json={"quantity": quantity}, headers=held
            )
            assert put.status_code == 200, put.text
    return created["cart_id"], held


async def test_merges_of_one_anonymous_cart_sent_at_once_have_one_effect(platform, orders):
    tea, mug = await offer_sku(orders.db, 1500), await offer_sku(orders.db, 800)
    customer_id, token = await platform.customer()
    async with orders.client(token) as client:
        assert (await client.put(f"{CARTS}/me/items/{tea}", json={"quantity": 1})).is_success
        cart_id, held = await _anonymous_cart(orders, (tea, 2), (mug, 3))
        start = asyncio.Event()

        async def merge() -> int:
            await start.wait()
            return (await client.post(f"{CARTS}/me/merge", headers=held)).status_code

        racing = [asyncio.create_task(merge()) for _ in range(RACERS)]
        start.set()
        statuses = Counter(await asyncio.gather(*racing))
        cart = (await client.get(f"{CARTS}/me")).json()

    assert statuses == {200: 1, 404: RACERS - 1}
    assert [(line["sku_id"], line["quantity"]) for line in cart["lines"]] == [
        (str(tea), 3),
        (str(mug), 3),
    ]
    assert await orders.added(customer_id) == [(str(tea), 1), (str(tea), 3), (str(mug), 3)]
    assert await orders.lines_of(cart_id) == 0


async def test_puts_racing_the_merge_are_merged_or_refused_never_left_behind(platform, orders):
    skus = [await offer_sku(orders.db, 100) for _ in range(RACERS)]
    customer_id, token = await platform.customer()
    cart_id, held = await _anonymous_cart(orders)
    async with orders.client(token) as client, orders.client() as visitor:
        start = asyncio.Event()

        async def put(sku: UUID) -> tuple[str, int]:
            await start.wait()
            answer = await visitor.put(
                f"{CARTS}/anonymous/items/{sku}", json={"quantity": 1}, headers=held
            )
            return str(sku), answer.status_code

        async def merge() -> int:
            await start.wait()
            await asyncio.sleep(0.01)  # some puts first, some after
            return (await client.post(f"{CARTS}/me/merge", headers=held)).status_code

        puts = [asyncio.create_task(put(sku)) for sku in skus]
        merged = asyncio.create_task(merge())
        start.set()
        answers = dict(await asyncio.gather(*puts))
        assert await merged == 200
        cart = (await client.get(f"{CARTS}/me")).json()

    assert set(answers.values()) <= {200, 404}
    taken = {sku for sku, status in answers.items() if status == 200}
    assert {line["sku_id"] for line in cart["lines"]} == taken
    assert {sku for sku, _ in await orders.added(customer_id)} == taken
    assert await orders.lines_of(cart_id) == 0
