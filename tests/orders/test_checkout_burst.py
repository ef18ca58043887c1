"""The issue's failure case, over the real broker: a burst of 200 orders with catalog stopped
for 10 s in the middle. Orders placed while catalog is away wait in `placed`; when it is back
the saga goes on, nothing lost, nothing doubled: every order ends paid or cancelled, and
catalog's stock is exact (sold units off hand, nothing left reserved)."""

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from uuid import UUID

import pytest
from sqlalchemy import func, select
from stack import Platform

from chassis.broker import TansuBroker
from chassis.clock import now
from chassis.db import Database
from chassis.money import Money
from chassis.testing import eventually
from contracts import load_contracts
from services.orders.checkout.models import Order, OrderStep
from services.orders.prices.models import CatalogSku

ORDERS = "/api/v1/orders/orders"
STOCK, CUSTOMERS, PER_CUSTOMER, PAID = 150, 4, 50, 10
OUTAGE_SECONDS = 10
PAYMENT_WINDOW = 6  # shorter than the outage, long enough to pay in on a loaded machine


@pytest.fixture
async def shop(tmp_path):
    with TansuBroker(topics=load_contracts().topics()) as broker:
        platform = Platform(broker, lambda name: f"sqlite+aiosqlite:///{tmp_path / name}.db")
        await platform.start("users", kafka_enabled=False)  # signs customers in, no more
        await platform.start("catalog")
        await platform.start("orders", payment_timeout_seconds=PAYMENT_WINDOW, schedule_seconds=0.2)
        db = Database(platform.database_url("orders"), service="probe")
        try:
            yield platform, db
        finally:
            await db.dispose()
            await platform.stop()


async def _listed_sku(platform: Platform, db: Database) -> str:
    (_, submitter), (_, reviewer) = [await platform.staff("operator") for _ in "ab"]
    async with platform.client("catalog", submitter) as catalog:
        body = {
            "name": "Burst tea",
            "skus": [{"code": "BURST", "price": _cny(100), "stock": STOCK}],
        }
        product = (await catalog.post("/api/v1/catalog/products", json=body)).json()
        await catalog.post(f"/api/v1/catalog/products/{product['id']}/submit")
    async with platform.client("catalog", reviewer) as catalog:
        await catalog.post(f"/api/v1/catalog/products/{product['id']}/approve", json={})
    sku = product["skus"][0]["id"]

    async def known() -> bool:
        async with db.session() as session:
            return await session.get(CatalogSku, UUID(sku)) is not None

    await eventually(known)
    return sku


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


async def _statuses(db: Database) -> Counter:
    async with db.session() as session:
        rows = await session.execute(select(Order.status, func.count()).group_by(Order.status))
        return Counter({str(status): count for status, count in rows})


async def test_a_burst_with_catalog_stopped_midway_ends_settled_with_exact_stock(shop):
    platform, db = shop
    sku = await _listed_sku(platform, db)
    signed_in = [await platform.customer() for _ in range(CUSTOMERS)]
    body = {"lines": [{"sku_id": sku, "quantity": 1}]}
    async with AsyncExitStack() as stack:
        customers = [
            await stack.enter_async_context(platform.client("orders", token))
            for _, token in signed_in
        ]

        async def burst() -> list[dict]:
            async def place(client) -> dict:
                placed = await client.post(ORDERS, json=body)
                assert placed.status_code == 201, placed.text
                return placed.json()

            return await asyncio.gather(
                *(place(c) for _ in range(PER_CUSTOMER // 2) for c in customers)
            )

        first = await burst()
        await platform.servers.pop("catalog").stop()
        second = await burst()
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself, not a wait for a condition
        waiting = await _statuses(db)
        await platform.start("catalog")
        payer = UUID(signed_in[0][0])

        async def payable() -> list[UUID] | None:
            return await _awaiting_payment(db, payer) or None

        # Paid as soon as the first customer's orders await payment, not once every order is
        # decided: by then the first of them may be past their payment window.
        await eventually(payable, within=30)
        paid = await _pay_some(platform, db, payer, customers[0])

        async def final() -> Counter | None:
            counts = await _statuses(db)
            return counts if set(counts) <= {"paid", "cancelled"} else None

        ended = await eventually(final, within=30)

    assert len({o["id"] for o in first + second}) == CUSTOMERS * PER_CUSTOMER
    assert waiting["placed"] >= len(second)  # nothing was decided while catalog was away
    assert ended == Counter({"paid": paid, "cancelled": CUSTOMERS * PER_CUSTOMER - paid})
    assert paid > 0
    # Orders of the first half time out during the outage (the window is shorter), and
    # their stock comes back to the second half: how many are refused stock varies.
    causes = await _cancelled_because(db)
    assert set(causes) <= {"stock rejected", "unpaid when its payment window closed"}
    assert sum(causes.values()) == CUSTOMERS * PER_CUSTOMER - paid
    _, operator = await platform.staff("operator")
    async with platform.client("catalog", operator) as catalog:

        async def exact() -> dict | None:
            stock = (await catalog.get(f"/api/v1/catalog/inventory/skus/{sku}")).json()
            return stock if stock["reserved"] == 0 else None

        stock = await eventually(exact, within=20)
    assert (stock["on_hand"], stock["available"]) == (STOCK - paid, STOCK - paid)


async def _cancelled_because(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(
            select(OrderStep.cause, func.count())
            .where(OrderStep.status == "cancelled")
            .group_by(OrderStep.cause)
        )
        return dict(rows.all())


async def _awaiting_payment(db: Database, customer_id: UUID) -> list[UUID]:
    async with db.session() as session:
        awaiting = await session.scalars(
            select(Order.id)
            .where(Order.customer_id == customer_id, Order.status == "awaiting_payment")
            .limit(PAID)
        )
        return list(awaiting)


async def _pay_some(platform: Platform, db: Database, customer_id: UUID, client) -> int:
    """Pay up to PAID of the customer's orders awaiting payment; how many were paid (the
    others the payment window cancels)."""
    order_ids = await _awaiting_payment(db, customer_id)
    provider = platform.servers["orders"].app.state.payment_provider
    paid = 0
    for order_id in order_ids:
        response = await client.post(f"{ORDERS}/{order_id}/payments", json={})
        if response.status_code == 409:  # its payment window closed since it was read
            continue
        payment = response.json()
        callback, headers = provider.callback(
            UUID(payment["id"]), order_id, Money(amount=100, currency="CNY"), now()
        )
        answer = await client.post(
            "/api/v1/orders/payments/callback", content=callback, headers=headers
        )
        paid += answer.json()["order_status"] == "paid"
    return paid
