"""A broker outage delays events and loses none; nothing is applied twice afterwards."""

import asyncio
from collections import Counter

import pytest
from observe import events_on
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from test_backbone import TOPIC, Backbone, Effect, ThingHappened

from chassis.broker import TansuBroker
from chassis.events import outbox as events_outbox
from chassis.events.relay import backlog
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import eventually


async def failed_attempts(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.max(outbox.c.attempts)))


@pytest.fixture
def own_broker():
    with TansuBroker(topics=[TOPIC]) as running:
        yield running


async def test_paused_broker_holds_events_in_the_outbox_then_delivers_each_once(
    database_url, own_broker
):
    backbone = Backbone(database_url("paused"), own_broker.bootstrap_servers)
    await backbone.start()
    try:
        warm = await backbone.change(1)
        await eventually(lambda: backbone.all_applied(warm), within=20)
        own_broker.pause()
        ids = await backbone.change(100)
        await asyncio.sleep(0.5)
        assert await backlog(backbone.db, "testkit") == 100
        assert await backbone.effects(ids) == Counter()
        own_broker.resume()
        effects = await eventually(lambda: backbone.all_applied(ids), within=60)
    finally:
        own_broker.resume()
        await backbone.stop()
    assert set(effects.values()) == {1}


async def test_broker_restarted_empty_still_gets_every_unpublished_event(database_url, own_broker):
    backbone = Backbone(database_url("restarted"), own_broker.bootstrap_servers)
    await backbone.start()
    phase, ids = "starting", []
    try:
        # It has hung under load, past pytest's timeout: a bound of its own says where.
        async with asyncio.timeout(150):
            phase = "first events"
            ids = await backbone.change(10)
            await eventually(lambda: backbone.all_applied(ids), within=20)
            own_broker.stop()
            phase = "changes while the broker is down"
            ids += await backbone.change(30)
            # An outage longer than the delivery timeout: the relay has given up once, so the
            # rows wait in the outbox for the broker that comes back empty.
            await eventually(lambda: failed_attempts(backbone.db), within=20)
            own_broker.start()
            phase = "after the restart"
            effects = await eventually(lambda: backbone.all_applied(ids), within=60)
    except (AssertionError, TimeoutError) as stuck:
        try:
            where = await asyncio.wait_for(where_it_stands(backbone, ids), 20)
        except TimeoutError:
            where = "no answer from the database or the broker within 20 s"
        raise AssertionError(f"{phase}: {where}") from stuck
    finally:
        await backbone.stop()
    assert set(effects.values()) == {1}


async def where_it_stands(backbone: Backbone, ids: list) -> str:
    async with backbone.db.session() as session:
        unpublished = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    on_topic = len(await events_on(backbone.bootstrap_servers, TOPIC))
    applied = len(await backbone.effects(ids))
    return (
        f"{applied} of {len(ids)} applied; {unpublished} still in the outbox; {on_topic} on "
        f"the topic; consumer {backbone.consumer.state}"
    )


async def test_start_over_rewinds_to_the_earliest_offset_and_applies_nothing_twice(
    database_url, broker
):
    """What a broker replaced by an empty one triggers (kafka.ClusterWatch): offsets
    committed before, or by a stale member since, are not trusted; every partition is read
    again from its beginning, and the inbox absorbs the repeats."""
    backbone = Backbone(database_url("rewind"), broker.bootstrap_servers)
    await backbone.start()
    labels = {"service": "testkit", "group": backbone.group, "outcome": "duplicate"}

    def duplicates() -> float:
        return REGISTRY.get_sample_value("flywheel_events_consumed_total", labels) or 0.0

    try:
        ids = await backbone.change(9)
        await eventually(lambda: backbone.all_applied(ids), within=20)
        before = duplicates()
        backbone.consumer.start_over()

        async def reread():
            # The group's committed offsets are past these 9 events: only a rewind reads
            # them again, each then counted as a duplicate.
            return duplicates() - before >= len(ids)

        await eventually(reread, within=30)
        effects = await backbone.effects(ids)
    finally:
        await backbone.stop()
    assert effects == Counter({thing_id: 1 for thing_id in ids})


async def test_events_of_one_aggregate_arrive_in_commit_order_after_an_outage(
    database_url, own_broker
):
    backbone = Backbone(database_url("ordered"), own_broker.bootstrap_servers)
    await backbone.start()
    things = [new_id() for _ in range(5)]
    try:
        warm = await backbone.change(1)
        await eventually(lambda: backbone.all_applied(warm), within=20)
        own_broker.pause()
        # One transaction per step, the steps of the things interleaved: the order to keep
        # is the order of commits, per aggregate.
        for step in range(12):
            for thing_id in things:
                async with backbone.db.session() as session:
                    await events_outbox.add(session, ThingHappened(thing_id=thing_id, step=step))
                    await session.commit()
        own_broker.resume()

        async def applied():
            query = select(Effect.thing_id, Effect.step).where(Effect.thing_id.in_(things))
            async with backbone.db.session() as session:
                rows = (await session.execute(query.order_by(Effect.id))).all()
            return rows if len(rows) == 12 * len(things) else None

        rows = await eventually(applied, within=60)
    finally:
        own_broker.resume()
        await backbone.stop()
    for thing in things:
        assert [step for thing_id, step in rows if thing_id == thing] == list(range(12))
