"""Batch events across the real broker: one message carries many events, and consumers of
the items' type receive each item once, in order per key, as if it had been sent alone."""

import asyncio
import uuid
from collections import Counter
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import Database
from chassis.events import CloudEvent, EventData, batches, event, kafka, outbox
from chassis.events.consumer import GroupConsumer
from chassis.events.handlers import consumes, consumes_all
from chassis.events.registry import EventRegistry, EventSpec
from chassis.events.relay import OutboxRelay
from chassis.events.tables import messaging_metadata
from chassis.events.tables import outbox as outbox_table
from chassis.ids import new_id
from chassis.testing import eventually

TOPIC = "flywheel.testkit.tap"


@event("flywheel.testkit.tap.made.v1", topic=TOPIC, key="tapper")
class TapMade(EventData):
    tapper: str
    step: int


@event("flywheel.testkit.tap.batch_made.v1", topic=TOPIC, key="tapper", batch_of=TapMade)
class TapsMade(EventData):
    tapper: str
    events: list[TapMade]


class Base(DeclarativeBase):
    pass


class Tap(Base):
    """One row per application of a tap: a second row for one (tapper, step) is a second
    effect."""

    __tablename__ = "taps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tapper: Mapped[str] = mapped_column(String(50))
    step: Mapped[int] = mapped_column(Integer)


@consumes(TapMade)
async def on_tap(data: TapMade, session) -> None:
    session.add(Tap(tapper=data.tapper, step=data.step))


@pytest.fixture
async def taps(database_url, broker):
    """A service's database, relay and consumer group of `on_tap`, running."""
    db = Database(database_url("taps"), service="testkit")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
        await conn.run_sync(Base.metadata.create_all)
    await kafka.ensure_topics(broker.bootstrap_servers, [TOPIC], partitions=3)
    producer = kafka.producer(broker.bootstrap_servers, request_timeout_ms=1000)
    await producer.start()
    group = f"taps-{new_id().hex[-12:]}"
    consumer = GroupConsumer(
        group,
        [on_tap],
        db=db,
        producer=producer,
        bootstrap_servers=broker.bootstrap_servers,
        service="testkit",
        session_timeout_ms=2000,
    )
    tasks = [asyncio.create_task(OutboxRelay(db, producer, service="testkit").run())]
    tasks.append(asyncio.create_task(consumer.run()))
    yield db, consumer
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks, timeout=15)
    await asyncio.wait_for(producer.stop(), 10)
    await db.dispose()


async def applied(db: Database, tappers: list[str], count: int) -> list | None:
    async with db.session() as session:
        query = select(Tap.tapper, Tap.step).where(Tap.tapper.in_(tappers)).order_by(Tap.id)
        rows = (await session.execute(query)).all()
    return rows if len(rows) >= count else None


async def test_the_items_of_a_batch_are_applied_once_each_in_order_per_key(taps, broker):
    db, consumer = taps
    tappers = [f"tapper-{new_id().hex[-8:]}" for _ in range(4)]
    async with db.session() as session:
        staged = await outbox.add_all(
            session,
            [
                TapsMade(tapper=t, events=[TapMade(tapper=t, step=s) for s in range(n, n + 25)])
                for n in (0, 25)
                for t in tappers
            ],
        )
        # An item sent alone, beside the batches, reaches the same handler.
        single = await outbox.add(session, TapMade(tapper=tappers[0], step=50))
        await session.commit()
        outbox_rows = await session.scalar(select(func.count()).select_from(outbox_table))
    assert outbox_rows == 9  # one row per batch, not one per item
    rows = await eventually(lambda: applied(db, tappers, 201), within=30)
    for tapper in tappers:
        expected = list(range(51)) if tapper == tappers[0] else list(range(50))
        assert [step for who, step in rows if who == tapper] == expected

    # The whole topic delivered again, one by one and then all at once: nothing twice.
    records = await everything(broker)
    ours = [r for r in records if r.key.decode() in tappers]
    for record in ours:
        await consumer.handle(record)
    decoded = [d for record in ours for d in consumer.decode(record)]
    assert await consumer.apply(decoded) == 0
    again = await applied(db, tappers, 201)
    assert Counter(again) == Counter(rows)
    assert len(again) == 201
    # Each item has the id derived from its batch's, at every delivery, and its key.
    expected = {batches.item_id(batch.id, index) for batch in staged for index in range(25)}
    assert {d.envelope.id for d in decoded} == expected | {single.id}
    assert all(d.envelope.subject == d.payload.tapper for d in decoded)


async def everything(broker) -> list:
    reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in range(3)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        found = []
        while batch := await reader.getmany(timeout_ms=500):
            found += [r for rs in batch.values() for r in rs]
    finally:
        await reader.stop()
    return found


async def test_a_batch_with_an_item_keyed_otherwise_is_refused_before_it_commits(database_url):
    db = Database(database_url("taps-keys"), service="testkit")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    try:
        mixed = TapsMade(
            tapper="ann", events=[TapMade(tapper="ann", step=0), TapMade(tapper="bob", step=0)]
        )
        async with db.session() as session:
            with pytest.raises(ValueError, match="item 1 of"):
                await outbox.add(session, mixed)
            assert await session.scalar(select(func.count()).select_from(outbox_table)) == 0
    finally:
        await db.dispose()


def test_a_group_that_handles_neither_reads_no_batch_and_a_catch_all_sink_reads_items():
    @consumes_all(excluding=(TapMade,))
    async def sink_without_taps(envelope, session) -> None: ...

    @consumes_all()
    async def sink(envelope, session) -> None: ...

    assert TOPIC not in sink_without_taps.topics()
    assert TOPIC in sink.topics()
    batch_type = "flywheel.testkit.tap.batch_made.v1"
    consumer = GroupConsumer(
        "sinks",
        [sink_without_taps],
        db=None,
        producer=None,
        bootstrap_servers="127.0.0.1:1",
        service="testkit",
    )
    record = _record(batch_type, {"tapper": "ann", "events": [{"tapper": "ann", "step": 0}]})
    assert consumer.decode(record) == []  # ignored, not poison
    consumer.handlers = [sink]
    (item,) = consumer.decode(record)
    assert item.envelope.type == "flywheel.testkit.tap.made.v1"
    assert item.envelope.data == {"tapper": "ann", "step": 0}


def _record(type_: str, data: dict) -> ConsumerRecord:
    value = CloudEvent(
        id=new_id(), source="/flywheel/testkit", type=type_, time="2026-12-01T00:00:00Z", data=data
    ).to_bytes()
    return ConsumerRecord(TOPIC, 0, 0, 0, 0, b"ann", value, None, 3, len(value), [])


class _NoEvents(EventData):
    tapper: str


def test_a_batch_is_declared_on_its_items_topic_with_an_events_field_and_their_key():
    registry = EventRegistry()
    with pytest.raises(ValueError, match="no `events` field"):
        registry.register(
            EventSpec("flywheel.testkit.tap.none.v1", TOPIC, "tapper", _NoEvents, "", TapMade)
        )
    with pytest.raises(ValueError, match="not a field of its items"):
        registry.register(
            EventSpec("flywheel.testkit.tap.keyed.v1", TOPIC, "events", TapsMade, "", TapMade)
        )
    with pytest.raises(ValueError, match="not on the topic of its items"):
        event(
            "flywheel.testkit.elsewhere.made.v1",
            topic="flywheel.testkit.elsewhere",
            key="tapper",
            batch_of=TapMade,
        )(TapsMade)


def test_item_ids_are_the_same_for_every_delivery_and_differ_between_items():
    batch = UUID("0193a1b2-0000-7000-8000-000000000001")
    assert batches.item_id(batch, 0) == batches.item_id(batch, 0)
    assert len({batches.item_id(batch, i) for i in range(1000)}) == 1000
    assert batches.item_id(batch, 0) != batches.item_id(new_id(), 0)
    assert batch not in {batches.item_id(batch, i) for i in range(1000)}
    made = batches.item_id(new_id(), 499)
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    with pytest.raises(ValueError, match="at most"):
        batches.item_id(batch, batches.MAX_ITEMS)
