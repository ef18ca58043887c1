"""Services across a broker outage: HTTP keeps serving, events wait and then all arrive."""

import time

import pytest
from stack import Platform

from chassis.broker import TansuBroker
from chassis.testing import eventually
from contracts import load_contracts

CREATED = "flywheel.catalog.product.created.v1"


@pytest.fixture
async def isolated(tmp_path):
    """Catalog, users and analytics on a broker of their own, which the test may pause."""
    with TansuBroker(topics=load_contracts().topics()) as broker:
        running = Platform(broker, lambda name: f"sqlite+aiosqlite:///{tmp_path / name}.db")
        for name in ("users", "catalog", "analytics"):
            await running.start(name)
        yield running
        broker.resume()
        await running.stop()


def sample(metrics: str, series: str) -> float:
    """The value of one series in a Prometheus text exposition."""
    (value,) = [
        line.split(" ")[-1] for line in metrics.splitlines() if line.startswith(series + " ")
    ]
    return float(value)


def consumer_state(metrics: str, group: str) -> str:
    """The state the `flywheel_consumer_state` enum marks 1.0 for `group`."""
    prefix = 'flywheel_consumer_state{flywheel_consumer_state="'
    labels = f'",group="{group}",service="{group}"}} 1.0'
    (state,) = [
        line[len(prefix) : -len(labels)]
        for line in metrics.splitlines()
        if line.startswith(prefix) and line.endswith(labels)
    ]
    return state


async def test_broker_down_readyz_stays_ready_but_degraded_and_events_arrive_later(isolated):
    token = await isolated.token("admin@flywheel.local", "flywheel-admin")
    async with isolated.client("catalog", token) as catalog:
        await eventually(lambda: _ready(catalog), within=30)
        isolated.broker.pause()
        try:
            ids = []
            for n in range(100):
                created = await catalog.post("/api/v1/catalog/products", json={"name": f"p{n}"})
                assert created.status_code == 201
                ids.append(created.json()["id"])
            started = time.monotonic()
            ready = await catalog.get("/readyz")
            elapsed = time.monotonic() - started
            metrics = (await catalog.get("/metrics")).text
        finally:
            isolated.broker.resume()
    # The pod keeps taking traffic: the outbox holds the events until the broker is back.
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "broker": "down"}
    assert body["outbox"]["pending"] >= 100
    assert body["outbox"]["oldest_age_seconds"] > 0
    assert elapsed < 3.0  # each check gives up after 1 s; a client's own timeout is 10 s
    assert sample(metrics, 'flywheel_broker_up{service="catalog"}') == 0
    assert sample(metrics, 'flywheel_outbox_backlog{service="catalog"}') >= 100
    assert sample(metrics, 'flywheel_outbox_oldest_pending_age_seconds{service="catalog"}') > 0
    assert consumer_state(metrics, "catalog") in {"running", "joining", "reconnecting"}

    async def all_recorded():
        subjects, params = [], {"type": CREATED, "limit": 100}
        async with isolated.client("analytics", token) as analytics:
            while True:
                page = (await analytics.get("/api/v1/analytics/events", params=params)).json()
                subjects += [event["subject"] for event in page["items"]]
                if not page["next_cursor"]:
                    break
                params["cursor"] = page["next_cursor"]
        return subjects if set(ids) <= set(subjects) else None

    subjects = await eventually(all_recorded, within=60)
    assert sorted(subjects) == sorted(set(subjects))  # none recorded twice
    async with isolated.client("catalog") as catalog:
        recovered = await eventually(lambda: _ready(catalog), within=30)
        metrics = (await catalog.get("/metrics")).text
    assert recovered["outbox"] == {"pending": 0, "oldest_age_seconds": 0.0}
    assert consumer_state(metrics, "catalog") == "running"
    assert sample(metrics, 'flywheel_broker_up{service="catalog"}') == 1


async def _ready(client) -> dict | None:
    """The /readyz body once the service is fully ready (broker and consumers too)."""
    response = await client.get("/readyz")
    body = response.json()
    return body if response.status_code == 200 and body["status"] == "ready" else None
