"""What an operator relies on: probes, metrics, and migrations run by a command."""

import asyncio
import os
import sys

from sqlalchemy import inspect

from chassis.db import Database
from chassis.testing import eventually


async def test_metrics_cover_requests_outbox_consumers_and_dlq(platform, admin_token):
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Metered"})
        await catalog.get(f"/api/v1/catalog/products/{created.json()['id']}")
        metrics = (await catalog.get("/metrics")).text
    route = 'flywheel_http_requests_total{{method="{}",route="{}",service="catalog",status="{}"}}'
    assert route.format("POST", "/api/v1/catalog/products", 201) in metrics
    assert route.format("GET", "/api/v1/catalog/products/{product_id}", 200) in metrics
    assert "flywheel_http_request_duration_seconds_bucket" in metrics
    assert 'flywheel_outbox_backlog{service="catalog"}' in metrics

    async def analytics_metrics():
        async with platform.client("analytics") as analytics:
            text = (await analytics.get("/metrics")).text
        return text if 'flywheel_consumer_lag{group="analytics"' in text else None

    metrics = await eventually(analytics_metrics)
    assert "flywheel_dlq_messages_total" in metrics


async def test_probes_answer_and_responses_carry_a_request_id(platform):
    async with platform.client("orders") as orders:
        assert (await orders.get("/healthz")).json() == {"status": "ok"}
        ready = await orders.get("/readyz")
        echoed = await orders.get("/healthz", headers={"X-Request-ID": "trace-me-123"})
        hostile = await orders.get("/healthz", headers={"X-Request-ID": "bad\tid"})
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert ready.json()["consumers"] == {"orders": "running"}
    assert echoed.headers["x-request-id"] == "trace-me-123"
    assert hostile.headers["x-request-id"] != "bad\tid"


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
    assert "catalog_0001" in out.decode()
    db = Database(url, service="catalog")
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await db.dispose()
    assert {"products", "outbox", "inbox", "alembic_version"} <= tables
