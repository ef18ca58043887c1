"""Readiness fails only for what stops a pod serving: its own database, start, shutdown."""

import time

import asyncpg
import pytest
from stack import POSTGRES, Platform
from test_database_outage import ADMIN_DSN, allow_connections

from chassis.broker import TansuBroker
from chassis.http import readiness
from chassis.ids import new_id
from chassis.testing import eventually, need
from contracts import load_contracts

# A bound on how long the probe may wait, not a speed: each check gives up after
# readiness.TIMEOUT, and a check that waited on a client's own timeouts would take 10 s.
PROBE_BOUND = readiness.TIMEOUT + 2.0


@pytest.fixture
async def catalog_on_postgres(broker):
    need("PostgreSQL", 5432)
    name = f"test_ready_{new_id().hex[-12:]}"
    running = Platform(broker, lambda service: f"{POSTGRES}/{name}")
    await running.start("catalog")
    yield running, name
    await running.stop()
    await allow_connections(name, True)
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', timeout=30)
    finally:
        await admin.close()


async def timed_probe(client):
    started = time.monotonic()
    response = await client.get("/readyz")
    return response, time.monotonic() - started


async def test_readyz_fails_while_the_own_database_is_down_and_recovers(catalog_on_postgres):
    platform, name = catalog_on_postgres
    async with platform.client("catalog") as catalog:
        assert (await catalog.get("/readyz")).status_code == 200
        await allow_connections(name, False)
        try:
            down, elapsed = await timed_probe(catalog)
            alive = await catalog.get("/healthz")
        finally:
            await allow_connections(name, True)
        back = await eventually(lambda: _status_is(catalog, 200), within=20, interval=0.2)
    assert down.status_code == 503
    assert down.json()["status"] == "not ready"
    assert down.json()["checks"]["database"].startswith("down: ")
    assert "outbox" not in down.json()
    assert elapsed < PROBE_BOUND
    assert alive.status_code == 200  # liveness: the process is fine, no restart wanted
    assert back.json()["checks"]["database"] == "ok"


async def test_readyz_fails_once_shutdown_has_begun(platform):
    runtime = platform.servers["catalog"].app.state.runtime
    async with platform.client("catalog") as catalog:
        serving = await catalog.get("/readyz")
        runtime.phase = "stopping"  # what the lifespan sets before it stops anything
        try:
            stopping = await catalog.get("/readyz")
        finally:
            runtime.phase = "serving"
    assert serving.status_code == 200
    assert stopping.status_code == 503
    assert stopping.json()["status"] == "not ready"
    assert stopping.json()["phase"] == "stopping"


async def _status_is(client, status: int):
    response = await client.get("/readyz")
    return response if response.status_code == status else None


async def test_a_service_started_before_its_broker_serves_degraded_then_connects(tmp_path):
    broker = TansuBroker(topics=load_contracts().topics())  # not started yet
    running = Platform(broker, lambda service: f"sqlite+aiosqlite:///{tmp_path / service}.db")
    await running.start("catalog")
    try:
        async with running.client("catalog") as catalog:
            waiting = await catalog.get("/readyz")
            broker.start()
            ready = await eventually(lambda: _fully_ready(catalog), within=60, interval=0.2)
    finally:
        await running.stop()
        broker.stop()
    assert waiting.status_code == 200
    assert waiting.json()["status"] == "degraded"
    assert waiting.json()["checks"] == {"database": "ok", "broker": "connecting"}
    assert ready["checks"] == {"database": "ok", "broker": "ok"}
    assert ready["consumers"] == {"catalog": "running"}


async def _fully_ready(client):
    response = await client.get("/readyz")
    body = response.json()
    return body if response.status_code == 200 and body["status"] == "ready" else None
