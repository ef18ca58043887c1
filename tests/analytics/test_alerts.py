"""Alert evaluation against the store and the database (SQLite and PostgreSQL): a rule fires
once, keeps quiet until it recovers, and two replicas evaluating at once fire it once."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.http.destinations import Destinations
from chassis.ids import new_id
from chassis.secrets import DEV_KEY, SecretBox
from contracts.analytics import AlertCondition, AlertMetric
from services.analytics.alerts import service
from services.analytics.alerts.models import AlertRule, WebhookDelivery
from services.analytics.alerts.rules import AlertState
from services.analytics.alerts.schemas import RuleIn
from services.analytics.store.service import record
from tests.analytics.events import paid, refunded

AT = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)  # a Monday, 10:00
MINUTE, WEEK = timedelta(minutes=1), timedelta(weeks=1)
FIRED = "flywheel.analytics.alert.fired.v1"
RECOVERED = "flywheel.analytics.alert.recovered.v1"
LOCAL = Destinations(private_allowed=True)


async def rule(db: Database, **fields) -> AlertRule:
    fields = {"name": "rule", "currency": "CNY", "window_s": 3600, **fields}
    async with db.session() as session:
        created, _ = await service.create(session, RuleIn(**fields), LOCAL, SecretBox(DEV_KEY))
        return created


async def staged(db: Database) -> list[dict]:
    async with db.session() as session:
        rows = await session.scalars(select(outbox.c.payload).order_by(outbox.c.created_at))
        return [json.loads(row) for row in rows]


async def states(db: Database) -> dict[str, AlertState]:
    async with db.session() as session:
        return {r.name: r.state for r in await session.scalars(select(AlertRule))}


async def test_a_threshold_rule_fires_once_and_recovers_once_with_a_delivery_each(db, store):
    gmv = await rule(
        db,
        name="hourly GMV",
        metric=AlertMetric.GMV,
        condition=AlertCondition.ABOVE,
        threshold=1000,
        webhook_url="http://127.0.0.1:9/hook",
    )
    await rule(  # its GMV is in USD: the CNY orders are none of its business
        db, name="USD", metric=AlertMetric.ORDERS, currency="USD", condition="above", threshold=0
    )
    buyer = new_id()
    await record(
        store,
        [
            paid(buyer, AT - 30 * MINUTE, 800, 400),
            paid(buyer, AT - 61 * MINUTE, 5000),  # before the window
            paid(buyer, AT + MINUTE, 5000),  # after it
        ],
    )
    assert await service.evaluate(db, store, AT) == 1
    assert await service.evaluate(db, store, AT + 10 * MINUTE) == 0  # still above: quiet
    assert await states(db) == {"hourly GMV": AlertState.FIRING, "USD": AlertState.OK}
    # Two hours on, the last hour sold nothing: recovered.
    assert await service.evaluate(db, store, AT + 2 * 60 * MINUTE) == 1
    assert await service.evaluate(db, store, AT + 3 * 60 * MINUTE) == 0

    fired, recovered = await staged(db)
    assert (fired["type"], recovered["type"]) == (FIRED, RECOVERED)
    assert fired["subject"] == str(gmv.id)
    assert (fired["data"]["value"], fired["data"]["threshold"]) == (1200, 1000)
    assert fired["data"]["at"].startswith("2026-11-09T10:00:00")
    assert recovered["data"]["value"] == 0
    async with db.session() as session:
        deliveries = list(await session.scalars(select(WebhookDelivery)))
    assert sorted(json.loads(d.body)["id"] for d in deliveries) == sorted(
        [fired["id"], recovered["id"]]
    )
    assert {d.url for d in deliveries} == {"http://127.0.0.1:9/hook"}


async def test_a_change_rule_compares_the_same_hour_last_week_and_no_data_changes_nothing(
    db, store
):
    await rule(db, name="orders fell", metric="orders", condition="down_percent", threshold=50)
    await rule(db, name="refunds", metric="refund_rate", condition="above", threshold=0.1)
    await rule(db, name="new GMV", metric="gmv", condition="up_percent", threshold=10)
    a, b = new_id(), new_id()
    last_week = [paid(a, AT - WEEK - i * 10 * MINUTE, 100) for i in range(1, 5)]
    await record(store, [*last_week, paid(b, AT - 5 * MINUTE, 100)])
    # 4 orders in the same hour last week, 1 now: -75 %. GMV rose from nothing: no figure.
    assert await service.evaluate(db, store, AT) == 1
    assert await states(db) == {
        "orders fell": AlertState.FIRING,
        "refunds": AlertState.OK,
        "new GMV": AlertState.OK,
    }
    (fired,) = await staged(db)
    assert (fired["data"]["value"], fired["data"]["baseline"]) == (4 - 3, 4)

    # An hour with refunds and no sales has no refund rate: the rule stays as it is.
    await record(store, [refunded(a, AT + 30 * MINUTE, 100)])
    assert await service.evaluate(db, store, AT + 60 * MINUTE) == 0
    assert (await states(db))["refunds"] is AlertState.OK


async def test_replicas_evaluating_at_once_fire_once(db, store):
    await rule(
        db,
        name="any order",
        metric="orders",
        condition="above",
        threshold=0,
        webhook_url="http://127.0.0.1:9/hook",
    )
    await record(store, [paid(new_id(), AT - MINUTE, 100)])
    changed = await asyncio.gather(*(service.evaluate(db, store, AT) for _ in range(8)))
    assert sum(changed) == 1
    assert [event["type"] for event in await staged(db)] == [FIRED]
    async with db.session() as session:
        assert len(list(await session.scalars(select(WebhookDelivery)))) == 1
