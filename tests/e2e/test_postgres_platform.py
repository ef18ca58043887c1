"""The platform's core flows with every service on PostgreSQL (the other tests use SQLite)."""

import asyncpg
import pytest
from stack import ADMIN, POSTGRES, Platform

from chassis.broker import TansuBroker
from chassis.testing import eventually, need
from contracts import load_contracts

SERVICES = ("users", "catalog", "orders", "analytics")


@pytest.fixture(scope="module")
async def on_postgres():
    """A broker of its own: the session's platform uses the same consumer group names."""
    need("PostgreSQL", 5432)
    names = [f"test_platform_{service}" for service in SERVICES]
    await drop(names)  # left over by an interrupted run
    with TansuBroker(topics=load_contracts().topics()) as broker:
        running = Platform(broker, lambda service: f"{POSTGRES}/test_platform_{service}")
        for service in SERVICES:
            await running.start(service)
        yield running
        await running.stop()
    await drop(names)


async def drop(names: list[str]) -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        for name in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def test_order_flow_on_postgres(on_postgres):
    admin = await on_postgres.token(ADMIN["email"], ADMIN["password"])
    async with on_postgres.client("catalog", admin) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products",
            json={"name": "Pu'er cake", "price": {"amount": 39900, "currency": "CNY"}},
        )
    assert created.status_code == 201
    product_id = created.json()["id"]
    customer_id, token = await on_postgres.customer()

    async with on_postgres.client("orders", token) as orders:

        async def placed():
            response = await orders.post(
                "/api/v1/orders/orders",
                json={"lines": [{"product_id": product_id, "quantity": 1}]},
                headers={"Idempotency-Key": "pg-order-1"},
            )
            return response if response.status_code == 201 else None

        first = await eventually(placed)
        again = await orders.post(
            "/api/v1/orders/orders",
            json={"lines": [{"product_id": product_id, "quantity": 1}]},
            headers={"Idempotency-Key": "pg-order-1"},
        )
    assert again.json()["id"] == first.json()["id"]

    async def counted():
        async with on_postgres.client("users", token) as users:
            return (await users.get("/api/v1/users/me")).json()["orders"]

    assert (await eventually(counted))["order_count"] == 1

    async def recorded():
        async with on_postgres.client("analytics", admin) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.orders.order.placed.v1", "subject": first.json()["id"]},
            )
        return response.json()["items"]

    (event,) = await eventually(recorded)
    assert event["data"]["customer_id"] == customer_id


async def test_text_postgresql_cannot_hold_is_a_422_not_a_500(on_postgres):
    admin = await on_postgres.token(ADMIN["email"], ADMIN["password"])
    async with on_postgres.client("catalog", admin) as catalog:
        refused = await catalog.post("/api/v1/catalog/products", json={"name": "nul\u0000tea"})
    async with on_postgres.client("users") as users:
        registered = await users.post(
            "/api/v1/users/register",
            json={"email": "nul@example.com", "password": "long enough", "display_name": "a\u0000"},
        )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.name"
    assert registered.status_code == 422
    assert registered.json()["errors"][0]["field"] == "body.display_name"
