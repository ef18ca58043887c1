"""What an operator relies on: probes, metrics, and migrations run by a command."""

import asyncio
import os
import re
import sys
from uuid import UUID

from aiokafka import AIOKafkaProducer
from sqlalchemy import inspect

from chassis.db import Database
from chassis.testing import eventually
from services.catalog.app import SCHEMA

PRODUCTS = "flywheel.catalog.product"


def sample(metrics: str, series: str) -> float:
    """The value of one series in a Prometheus exposition (0 when it does not exist yet)."""
    values = [line.split(" ")[-1] for line in metrics.splitlines() if line.startswith(series + " ")]
    assert len(values) <= 1, series
    return float(values[0]) if values else 0.0


async def test_metrics_count_requests_latency_backlog_and_dead_letters(
    platform, operator_token, broker
):
    route = 'flywheel_http_requests_total{{method="{}",route="{}",service="catalog",status="{}"}}'
    created_series = route.format("POST", "/api/v1/catalog/products", 201)
    read_series = route.format("GET", "/api/v1/catalog/products/{product_id}", 200)
    latency = (
        "flywheel_http_request_duration_seconds_count"
        '{method="POST",route="/api/v1/catalog/products",service="catalog"}'
    )
    async with platform.client("catalog", operator_token) as catalog:
        before = (await catalog.get("/metrics")).text
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Metered"})
        await catalog.get(f"/api/v1/catalog/products/{created.json()['id']}")
        await catalog.get(f"/api/v1/catalog/products/{created.json()['id']}")
        after = (await catalog.get("/metrics")).text

        async def published():
            text = (await catalog.get("/metrics")).text
            return text if sample(text, 'flywheel_outbox_backlog{service="catalog"}') == 0 else None

        await eventually(published, within=20)
    assert sample(after, created_series) - sample(before, created_series) == 1
    assert sample(after, read_series) - sample(before, read_series) == 2
    assert sample(after, latency) - sample(before, latency) == 1

    # One message no consumer can read, on a topic analytics consumes: its DLQ counter
    # moves by exactly one (the series exists at zero too, so its name proves nothing).
    dead = 'flywheel_dlq_messages_total{group="analytics",reason="not-json",service="analytics"}'
    async with platform.client("analytics") as analytics:
        start = sample((await analytics.get("/metrics")).text, dead)
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(PRODUCTS, b"\xff{not json", key=b"poison")
        finally:
            await producer.stop()

        async def dead_lettered():
            text = (await analytics.get("/metrics")).text
            return text if sample(text, dead) > start else None

        metrics = await eventually(dead_lettered, within=20)
    assert sample(metrics, dead) == start + 1
    lags = [line for line in metrics.splitlines() if line.startswith("flywheel_consumer_lag{")]
    assert any(f'topic="{PRODUCTS}"' in line and 'group="analytics"' in line for line in lags)


async def test_a_route_with_a_typed_parameter_is_counted_under_its_documented_template(
    platform,
):
    # users declares `/segments/{segment_id:uuid}`; its OpenAPI path, and so the label that
    # dashboards and the edge comparison read, is `/segments/{segment_id}`.
    series = (
        'flywheel_http_requests_total{method="GET",'
        'route="/api/v1/users/segments/{segment_id}",service="users",status="404"}'
    )
    _, operator = await platform.staff("operator")
    async with platform.client("users", operator) as users:
        before = sample((await users.get("/metrics")).text, series)
        missing = await users.get(f"/api/v1/users/segments/{UUID(int=7)}")
        after = sample((await users.get("/metrics")).text, series)
    assert missing.status_code == 404
    assert after - before == 1


async def test_probes_answer_and_responses_carry_a_request_id(platform):
    async with platform.client("orders") as orders:
        assert (await orders.get("/healthz")).json() == {"status": "ok"}
        ready = await eventually(lambda: _fully_ready(orders), within=30)
        echoed = await orders.get("/healthz", headers={"X-Request-ID": "trace-me-123"})
        hostile = await orders.get("/healthz", headers={"X-Request-ID": "bad\tid"})
        too_long = await orders.get("/healthz", headers={"X-Request-ID": "a" * 129})
        fresh = [await orders.get("/healthz") for _ in range(2)]
    assert ready["checks"] == {"database": "ok", "broker": "ok"}
    assert ready["consumers"] == {"orders": "running"}
    assert echoed.headers["x-request-id"] == "trace-me-123"
    # A refused id is replaced by a fresh one of the service's own shape: a UUIDv7 as hex.
    replaced = [hostile, too_long, *fresh]
    for response in replaced:
        request_id = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id
        assert UUID(hex=request_id).version == 7
    assert len({r.headers["x-request-id"] for r in replaced}) == len(replaced)


async def _fully_ready(client) -> dict | None:
    response = await client.get("/readyz")
    body = response.json()
    return body if response.status_code == 200 and body["status"] == "ready" else None


async def test_migrations_run_as_a_command(database_url):
    url = database_url("migrated")
    env = {**os.environ, "CATALOG_DATABASE_URL": url}
    for action in ("upgrade", "current"):
        done = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "deploy.migrate", "catalog", action),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await done.communicate()
        assert done.returncode == 0, err.decode()
    # Both heads, the catalog's newest revision and the chassis' own branch, are current.
    newest = max(p.stem.split("_")[1] for p in SCHEMA.versions.glob("catalog_*.py"))
    assert f"Revision ID: catalog_{newest}" in out.decode()
    assert "Revision ID: chassis_0002" in out.decode()
    db = Database(url, service="catalog")
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await db.dispose()
    assert {"products", "outbox", "inbox", "alembic_version"} <= tables
