"""What the other modules read of collection, across the real broker: each collected event
once, as a `BehaviourRecorded` of its own (users' RFM and lifecycle, catalog's views consume
it), though collection publishes one batch per request's actor (ADR 0029)."""

import asyncio
import json

import pytest
from sqlalchemy import select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.events.consumer import GroupConsumer
from chassis.events.handlers import consumes
from chassis.events.tables import messaging_metadata, outbox
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.analytics import BehaviourRecorded
from services.analytics.app import SCHEMA
from services.analytics.collect import service
from services.analytics.collect.rules import MAX_PROPERTIES_BYTES
from services.analytics.collect.schemas import CollectedEvent
from services.analytics.collect.service import BATCH_BYTES

COLLECT = "/api/v1/analytics/collect"
RECORDED = "flywheel.analytics.behaviour.recorded.v1"


def event(client_event_id: str, name: str = "product_view") -> dict:
    return {"client_event_id": client_event_id, "name": name, "client_time": now().isoformat()}


@pytest.fixture
async def reader(platform, database_url):
    """A consumer group of the other modules' kind (`@consumes(BehaviourRecorded)`, its own
    inbox), reading the platform's broker; yields what it has received, in order."""
    received: list[BehaviourRecorded] = []

    @consumes(BehaviourRecorded)
    async def on_behaviour(event: BehaviourRecorded, session) -> None:
        received.append(event)

    db = Database(database_url("behaviour_reader"), service="reader")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    consumer = GroupConsumer(
        f"reader-{new_id().hex[-12:]}",
        [on_behaviour],
        db=db,
        producer=None,
        bootstrap_servers=platform.broker.bootstrap_servers,
        service="reader",
        session_timeout_ms=2000,
    )
    running = asyncio.create_task(consumer.run())
    yield received
    running.cancel()
    await asyncio.wait([running], timeout=15)
    await db.dispose()


async def test_each_collected_event_reaches_consumers_once_as_an_event_of_its_own(
    platform, operator_token, reader
):
    user_id, token = await platform.customer()
    device, other = f"dev-{new_id().hex}", f"dev-{new_id().hex}"
    first = [event(f"c-{n}") for n in range(30)]
    async with (
        platform.client("analytics", token) as signed_in,
        platform.client("analytics") as anonymous,
    ):
        answers = [
            await signed_in.post(COLLECT, json={"anonymous_id": device, "events": first}),
            # Retried, with one event more: only that one is new.
            await signed_in.post(
                COLLECT, json={"anonymous_id": device, "events": [*first, event("c-30")]}
            ),
            await anonymous.post(COLLECT, json={"anonymous_id": other, "events": [event("o-0")]}),
        ]
    assert [len(a.json()["accepted"]) for a in answers] == [30, 1, 1]

    def mine(events: list[BehaviourRecorded]) -> list[BehaviourRecorded]:
        return [e for e in events if e.anonymous_id in (device, other)]

    async def all_received():
        found = mine(reader)
        return found if len(found) >= 32 else None

    found = await eventually(all_received, within=30)
    await asyncio.sleep(1.0)  # room for a second delivery, were there one
    found = mine(reader)
    ours = [e for e in found if e.anonymous_id == device]
    # In order per actor, each once, under the user the token named.
    assert [e.client_event_id for e in ours] == [f"c-{n}" for n in range(31)]
    assert {(str(e.user_id), e.actor) for e in ours} == {(user_id, user_id)}
    [theirs] = [e for e in found if e.anonymous_id == other]
    assert (theirs.user_id, theirs.actor, theirs.client_event_id) == (None, other, "o-0")
    assert len(found) == 32

    # The store names each event with the id the consumers' inbox knows it by.
    async with platform.client("analytics", operator_token) as analytics:
        stored = (
            await analytics.get(
                "/api/v1/analytics/events", params={"type": RECORDED, "subject": other}
            )
        ).json()["items"]
    assert [item["data"]["behaviour_id"] for item in stored] == [str(theirs.behaviour_id)]


async def test_one_batch_per_actor_cut_under_the_size_a_message_takes(database_url):
    db = Database(database_url("collect_batches"), service="analytics")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    big = {"note": "x" * (MAX_PROPERTIES_BYTES - 20)}
    heavy = [
        (n, CollectedEvent.model_validate(event(f"h-{n}") | {"properties": big}))
        for n in range(2 * BATCH_BYTES // MAX_PROPERTIES_BYTES)
    ]
    light = [(n, CollectedEvent.model_validate(event(f"l-{n}"))) for n in range(500)]
    try:
        async with db.session() as session:
            await service.collect_many(
                session,
                [
                    service.Submission(f"dev-{new_id().hex}", None, heavy),
                    service.Submission(f"dev-{new_id().hex}", None, light),
                ],
            )
            payloads = list(await session.scalars(select(outbox.c.payload).order_by(outbox.c.seq)))
    finally:
        await db.dispose()
    batches = [json.loads(payload) for payload in payloads]
    sizes = [len(payload.encode()) for payload in payloads]
    assert max(sizes) < 900_000  # what the broker takes (chassis.events.outbox)
    counts = [len(batch["data"]["events"]) for batch in batches]
    # The heavy actor's events take three messages, the light one's 500 events one.
    assert len(counts) == 4
    assert counts[-1] == 500
    assert sum(counts[:3]) == len(heavy)
    kept = [e["client_event_id"] for batch in batches[:3] for e in batch["data"]["events"]]
    assert kept == [f"h-{n}" for n in range(len(heavy))]
