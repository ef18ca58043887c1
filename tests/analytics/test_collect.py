"""Collection over real HTTP: per-event judgement, one publication per client event id."""

import asyncio
import json
from datetime import timedelta

from sqlalchemy import select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import eventually
from services.analytics.app import SCHEMA
from services.analytics.collect import service
from services.analytics.collect.models import CollectedKey
from services.analytics.collect.rules import MAX_EVENTS
from services.analytics.collect.schemas import CollectedEvent
from services.analytics.collect.service import KEYS_KEPT

RECORDED = "flywheel.analytics.behaviour.recorded.v1"
RECORDED_IN_BATCH = "flywheel.analytics.behaviour.batch_recorded.v1"


def event(client_event_id: str, name: str = "page_view", **fields) -> dict:
    return {
        "client_event_id": client_event_id,
        "name": name,
        "client_time": now().isoformat(),
        **fields,
    }


def anonymous() -> str:
    return f"dev-{new_id().hex}"


async def stored(platform, token: str, subject: str, count: int) -> list[dict]:
    async def exactly() -> list[dict] | None:
        async with platform.client("analytics", token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": RECORDED, "subject": subject}
            )
        items = response.json()["items"]
        return items if len(items) >= count else None

    return await eventually(exactly, within=20)


async def test_a_batch_keeps_its_valid_events_and_says_why_the_others_are_rejected(
    platform, operator_token
):
    device = anonymous()
    batch = [
        event("c-1", "product_view", target="sku-1"),
        event("c-2", "teleport"),
        event(
            "c-3", "search", target="oolong", client_time=(now() + timedelta(days=1)).isoformat()
        ),
        {"name": "click"},
        event("c-5", "add_to_cart", target="sku-1", properties={"quantity": 2}),
    ]
    async with platform.client("analytics") as analytics:
        response = await analytics.post(
            "/api/v1/analytics/collect", json={"anonymous_id": device, "events": batch}
        )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == [
        {"index": 0, "client_event_id": "c-1"},
        {"index": 4, "client_event_id": "c-5"},
    ]
    assert body["duplicates"] == []
    rejected = {r["index"]: [reason["field"] for reason in r["reasons"]] for r in body["rejected"]}
    assert rejected == {1: ["name"], 2: ["client_time"], 3: ["client_event_id", "client_time"]}
    items = await stored(platform, operator_token, device, 2)
    assert sorted(i["data"]["client_event_id"] for i in items) == ["c-1", "c-5"]
    assert {i["data"]["action"] for i in items} == {"product_view", "add_to_cart"}
    assert all(i["data"]["anonymous_id"] == device and i["data"]["user_id"] is None for i in items)


async def test_a_retried_batch_publishes_each_client_event_once(platform, operator_token):
    device = anonymous()
    first = {"anonymous_id": device, "events": [event("c-1"), event("c-2"), event("c-1")]}
    again = {"anonymous_id": device, "events": [event("c-2"), event("c-3")]}
    async with platform.client("analytics") as analytics:
        one = (await analytics.post("/api/v1/analytics/collect", json=first)).json()
        two = (await analytics.post("/api/v1/analytics/collect", json=again)).json()
    assert [k["client_event_id"] for k in one["accepted"]] == ["c-1", "c-2"]
    assert one["duplicates"] == [{"index": 2, "client_event_id": "c-1"}]
    assert two["accepted"] == [{"index": 1, "client_event_id": "c-3"}]
    assert two["duplicates"] == [{"index": 0, "client_event_id": "c-2"}]
    items = await stored(platform, operator_token, device, 3)
    assert sorted(i["data"]["client_event_id"] for i in items) == ["c-1", "c-2", "c-3"]


async def test_the_user_comes_from_the_token_beside_the_anonymous_id(platform, operator_token):
    user_id, token = await platform.customer()
    device = anonymous()
    async with platform.client("analytics", token) as analytics:
        response = await analytics.post(
            "/api/v1/analytics/collect",
            json={"anonymous_id": device, "events": [event("c-1", "add_to_cart")]},
        )
    assert response.status_code == 202
    [item] = await stored(platform, operator_token, user_id, 1)
    assert (item["data"]["user_id"], item["data"]["anonymous_id"]) == (user_id, device)


async def test_an_oversized_batch_is_413(platform):
    device = anonymous()
    too_many = [event(f"c-{n}") for n in range(MAX_EVENTS + 1)]
    padding = "x" * 200
    too_big = [event(f"c-{n}", target=padding, properties={"p": padding * 40}) for n in range(200)]
    async with platform.client("analytics") as analytics:
        many = await analytics.post(
            "/api/v1/analytics/collect", json={"anonymous_id": device, "events": too_many}
        )
        big = await analytics.post(
            "/api/v1/analytics/collect",
            content=json.dumps({"anonymous_id": device, "events": too_big}),
            headers={"content-type": "application/json"},
        )
    assert (many.status_code, big.status_code) == (413, 413)
    assert many.headers["content-type"] == "application/problem+json"


async def test_a_batch_without_an_anonymous_id_or_events_is_422(platform):
    async with platform.client("analytics") as analytics:
        nobody = await analytics.post("/api/v1/analytics/collect", json={"events": [event("c")]})
        empty = await analytics.post(
            "/api/v1/analytics/collect", json={"anonymous_id": anonymous(), "events": []}
        )
    assert nobody.status_code == 422
    assert nobody.json()["errors"][0]["field"] == "body.anonymous_id"
    assert empty.json()["errors"][0]["field"] == "body.events"


async def test_a_bad_token_is_refused_though_anonymous_collection_is_allowed(platform):
    async with platform.client("analytics", "not-a-token") as analytics:
        response = await analytics.post(
            "/api/v1/analytics/collect", json={"anonymous_id": anonymous(), "events": [event("c")]}
        )
    assert response.status_code == 401


async def test_concurrent_copies_of_a_batch_publish_each_event_once(database_url):
    db = Database(database_url("collect"), service="analytics")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    device = anonymous()
    events = [(n, CollectedEvent.model_validate(event(f"c-{n}"))) for n in range(10)]

    async def send():
        async with db.session() as session:
            [collected], _ = await service.collect_many(
                session, [service.Submission(device, None, events)]
            )
            return collected

    try:
        results = await asyncio.gather(*(send() for _ in range(8)))
        async with db.session() as session:
            payloads = await session.scalars(
                select(outbox.c.payload).where(outbox.c.type == RECORDED_IN_BATCH)
            )
            batches = [json.loads(payload)["data"]["events"] for payload in payloads]
    finally:
        await db.dispose()
    assert sum(len(r.accepted) for r in results) == 10
    assert sum(len(r.duplicates) for r in results) == 70
    published = [e["client_event_id"] for batch in batches for e in batch]
    assert sorted(published) == sorted(f"c-{n}" for n in range(10))


async def test_dedup_keys_are_forgotten_only_past_what_collection_still_accepts(database_url):
    db = Database(database_url("collect_prune"), service="analytics")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    old, recent = (
        CollectedKey(anonymous_id=anonymous(), client_event_id="c", collected_at=at)
        for at in (now() - KEYS_KEPT - timedelta(minutes=1), now() - KEYS_KEPT + timedelta(hours=1))
    )
    try:
        async with db.session() as session:
            session.add_all([old, recent])
            await session.commit()
        assert await service.prune_keys(db) == 1
        async with db.session() as session:
            left = await session.scalars(select(CollectedKey.anonymous_id))
            assert list(left) == [recent.anonymous_id]
    finally:
        await db.dispose()


async def test_bot_like_events_are_kept_with_their_signals_and_listed_as_flagged(
    platform, operator_token
):
    device, crawler = anonymous(), anonymous()
    start = now() - timedelta(minutes=1)
    burst = [
        event(f"c-{n}", "click", client_time=(start + timedelta(milliseconds=40 * n)).isoformat())
        for n in range(11)
    ]
    calm = event("c-11", client_time=(start + timedelta(seconds=30)).isoformat())
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    async with platform.client("analytics") as analytics:
        fast = await analytics.post(
            "/api/v1/analytics/collect",
            json={"anonymous_id": device, "events": [*burst, calm, burst[0]]},
            headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0.0.0"},
        )
        bot = await analytics.post(
            "/api/v1/analytics/collect",
            json={"anonymous_id": crawler, "events": [event("c-1")]},
            headers={"User-Agent": googlebot},
        )
    assert fast.status_code == 202, fast.text
    assert len(fast.json()["accepted"]) == 12
    assert fast.json()["flagged"] == [
        {"index": n, "client_event_id": f"c-{n}", "signals": ["rate"]} for n in range(11)
    ]  # the repeat of c-0 (index 12) is a duplicate, not flagged again
    assert bot.json()["flagged"] == [
        {"index": 0, "client_event_id": "c-1", "signals": ["user_agent"]}
    ]
    items = await stored(platform, operator_token, device, 12)
    signals = {i["data"]["client_event_id"]: i["data"]["bot_signals"] for i in items}
    assert signals == {f"c-{n}": ["rate"] for n in range(11)} | {"c-11": []}
    [crawled] = await stored(platform, operator_token, crawler, 1)
    assert crawled["data"]["bot_signals"] == ["user_agent"]
