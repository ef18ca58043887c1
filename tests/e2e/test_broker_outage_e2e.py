"""Services across a broker outage: HTTP keeps serving, events wait and then all arrive."""

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


async def test_broker_down_http_serves_readyz_says_why_and_events_arrive_later(isolated):
    token = await isolated.token("admin@flywheel.local", "flywheel-admin")
    isolated.broker.pause()
    try:
        async with isolated.client("catalog", token) as catalog:
            ready = await catalog.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "broker": "down"}
            ids = []
            for n in range(100):
                created = await catalog.post("/api/v1/catalog/products", json={"name": f"p{n}"})
                assert created.status_code == 201
                ids.append(created.json()["id"])
    finally:
        isolated.broker.resume()

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
        assert (await catalog.get("/readyz")).status_code == 200
