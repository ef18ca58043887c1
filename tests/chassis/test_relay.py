"""The relay publishes a commit at once, and several relays on one outbox publish each row once."""

import asyncio
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select
from test_backbone import TOPIC, ThingHappened

from chassis.db import Database
from chassis.events import kafka, outbox
from chassis.events.relay import OutboxRelay, backlog
from chassis.events.tables import messaging_metadata
from chassis.events.tables import outbox as outbox_table
from chassis.ids import new_id
from chassis.testing import eventually

# Far longer than any wait below: a row published within the wait was woken by its commit.
LONG_POLL = 120.0


async def published_at(db: Database, thing_id) -> object:
    async with db.session() as session:
        return await session.scalar(
            select(outbox_table.c.published_at).where(outbox_table.c.key == str(thing_id))
        )


async def test_a_commit_wakes_the_relay_long_before_its_poll(database_url, broker):
    db = Database(database_url("woken"), service="testkit")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    producer = kafka.producer(broker.bootstrap_servers)
    await producer.start()
    relay = OutboxRelay(db, producer, service="testkit", poll=LONG_POLL)
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(3):  # each commit, not only the first after start
            thing_id = new_id()
            async with db.session() as session:
                await outbox.add(session, ThingHappened(thing_id=thing_id))
                await session.commit()
            # Tens of milliseconds when idle; the bound is generous for a loaded machine
            # and still a small fraction of the poll interval.
            await eventually(
                lambda thing_id=thing_id: published_at(db, thing_id), within=10, interval=0.01
            )
    finally:
        task.cancel()
        await asyncio.wait([task], timeout=15)
        await producer.stop()
        await db.dispose()


async def published_keys(bootstrap_servers: str, keys: set[bytes]) -> Counter:
    """How often each of `keys` was published on the test topic."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in range(3)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        found = Counter()
        while batch := await reader.getmany(timeout_ms=500):
            found.update(r.key for rs in batch.values() for r in rs if r.key in keys)
    finally:
        await reader.stop()
    return found


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_relays_on_one_outbox_publish_every_row_exactly_once(database_url, broker):
    url = database_url("two_relays")
    writer = Database(url, service="testkit")
    await writer.create_database_if_missing()
    async with writer.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    replicas = [Database(url, service="testkit") for _ in range(2)]
    producers = [kafka.producer(broker.bootstrap_servers) for _ in replicas]
    for producer in producers:
        await producer.start()
    # Small batches, and every commit wakes both: they race for the same rows all along.
    relays = [
        OutboxRelay(db, producer, service="testkit", batch_size=5, poll=0.05)
        for db, producer in zip(replicas, producers, strict=True)
    ]
    for relay in relays:
        writer.on_outbox_commit.append(relay.wake)
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        things = []
        for _ in range(20):
            batch = [new_id() for _ in range(15)]
            async with writer.session() as session:
                await outbox.add_all(session, [ThingHappened(thing_id=t) for t in batch])
                await session.commit()
            things += batch
        await eventually(lambda: _drained(writer), within=30)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=15)
        for producer in producers:
            await producer.stop()
        for db in (writer, *replicas):
            await db.dispose()
    keys = {str(t).encode() for t in things}
    found = await published_keys(broker.bootstrap_servers, keys)
    assert set(found) == keys
    assert set(found.values()) == {1}


async def _drained(db: Database) -> bool:
    return await backlog(db, "testkit") == 0
