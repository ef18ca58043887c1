"""The event backbone across the real broker: outbox, relay, idempotent consumer, DLQ."""

import asyncio
import json
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import Integer, Uuid, func, insert, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.clock import now
from chassis.db import Database
from chassis.events import EventData, dlq, event, kafka, outbox
from chassis.events.consumer import GroupConsumer
from chassis.events.envelope import CloudEvent
from chassis.events.handlers import Handler
from chassis.events.relay import OutboxRelay, backlog
from chassis.events.tables import inbox, messaging_metadata
from chassis.events.tables import outbox as outbox_table
from chassis.ids import new_id
from chassis.testing import eventually
from deploy import dlq as dlq_command

TOPIC = "flywheel.testkit.thing"


@event("flywheel.testkit.thing.happened.v1", topic=TOPIC, key="thing_id")
class ThingHappened(EventData):
    thing_id: UUID
    step: int = 0


@event("flywheel.testkit.note.written.v1", topic="flywheel.testkit.note", key="note_id")
class NoteWritten(EventData):
    note_id: UUID
    text: str


class Base(DeclarativeBase):
    pass


class Effect(Base):
    """One row per application of an event: a second row for a thing is a second effect."""

    __tablename__ = "effects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thing_id: Mapped[UUID] = mapped_column(Uuid)
    step: Mapped[int] = mapped_column(Integer, default=0)


class Backbone:
    """One service's side of the backbone: its database, relay and one consumer group."""

    def __init__(self, url: str, bootstrap_servers: str, fails: dict[UUID, int] | None = None):
        self.db = Database(url, service="testkit")
        self.bootstrap_servers = bootstrap_servers
        self.group = f"testkit-{new_id().hex[-12:]}"
        self.fails = fails or {}
        self.tasks: list[asyncio.Task] = []

    async def handle(self, data: ThingHappened, session) -> None:
        if self.fails.get(data.thing_id, 0) > 0:
            self.fails[data.thing_id] -= 1
            raise RuntimeError(f"transient failure for {data.thing_id}")
        session.add(Effect(thing_id=data.thing_id, step=data.step))

    async def ensure_topics(self) -> None:
        await kafka.ensure_topics(self.bootstrap_servers, [TOPIC], partitions=3)

    async def start(self) -> None:
        await self.db.create_database_if_missing()
        async with self.db.engine.begin() as conn:
            await conn.run_sync(messaging_metadata.create_all)
            await conn.run_sync(Base.metadata.create_all)
        await self.ensure_topics()
        self.producer = kafka.producer(self.bootstrap_servers, request_timeout_ms=1000)
        await self.producer.start()
        self.relay = OutboxRelay(self.db, self.producer, service="testkit")
        handler = Handler(
            self.group, self.handle, frozenset({"flywheel.testkit.thing.happened.v1"})
        )
        self.consumer = GroupConsumer(
            self.group,
            [handler],
            db=self.db,
            producer=self.producer,
            bootstrap_servers=self.bootstrap_servers,
            service="testkit",
            max_attempts=3,
            retry_backoff=0.01,
            session_timeout_ms=2000,
        )

        async def start_over() -> None:
            self.consumer.start_over()

        watch = kafka.ClusterWatch(self.bootstrap_servers, start_over, every=0.5)
        self.tasks = [
            asyncio.create_task(job) for job in (self.relay.run(), self.consumer.run(), watch.run())
        ]

    async def change(self, count: int) -> list[UUID]:
        """Commit `count` state changes, each with its event, one transaction apiece."""
        ids = [new_id() for _ in range(count)]
        for thing_id in ids:
            async with self.db.session() as session:
                await outbox.add(session, ThingHappened(thing_id=thing_id))
                await session.commit()
        return ids

    async def effects(self, ids: list[UUID]) -> Counter:
        async with self.db.session() as session:
            rows = await session.scalars(select(Effect.thing_id).where(Effect.thing_id.in_(ids)))
            return Counter(rows)

    async def all_applied(self, ids: list[UUID]) -> Counter | None:
        effects = await self.effects(ids)
        return effects if len(effects) == len(ids) else None

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.wait(self.tasks, timeout=15)
        await asyncio.wait_for(self.producer.stop(), 10)
        await self.db.dispose()


@pytest.fixture
async def backbone(database_url, broker):
    running = Backbone(database_url("backbone"), broker.bootstrap_servers)
    await running.start()
    yield running
    await running.stop()


async def test_every_committed_change_is_applied_once(backbone):
    ids = await backbone.change(50)
    effects = await eventually(lambda: backbone.all_applied(ids), within=20)
    assert set(effects.values()) == {1}
    assert await backlog(backbone.db, "testkit") == 0


async def test_a_bulk_change_publishes_every_event_in_order_per_key(backbone):
    things = [new_id() for _ in range(10)]
    changes = [ThingHappened(thing_id=t, step=step) for step in range(20) for t in things]
    async with backbone.db.session() as session:
        envelopes = await outbox.add_all(session, changes)
        await session.commit()
    assert len({e.id for e in envelopes}) == 200

    async def applied():
        query = select(Effect.thing_id, Effect.step).where(Effect.thing_id.in_(things))
        async with backbone.db.session() as session:
            rows = (await session.execute(query.order_by(Effect.id))).all()
        return rows if len(rows) == 200 else None

    rows = await eventually(applied, within=20)
    for thing in things:
        assert [step for thing_id, step in rows if thing_id == thing] == list(range(20))


async def test_an_event_the_broker_would_refuse_is_refused_before_it_commits(backbone):
    note = new_id()
    async with backbone.db.session() as session:
        with pytest.raises(outbox.EventTooLarge, match="at most"):
            await outbox.add(session, NoteWritten(note_id=note, text="x" * 1_000_000))
        await session.commit()  # what the caller would commit: no event made it into the outbox
    async with backbone.db.session() as session:
        rows = await session.scalar(
            select(func.count()).select_from(outbox_table).where(outbox_table.c.key == str(note))
        )
    assert rows == 0
    assert await backlog(backbone.db, "testkit") == 0


async def test_a_rolled_back_change_publishes_nothing(backbone):
    thing_id = new_id()
    async with backbone.db.session() as session:
        await outbox.add(session, ThingHappened(thing_id=thing_id))
        await session.rollback()
    kept = await backbone.change(1)
    await eventually(lambda: backbone.all_applied(kept), within=20)
    assert await backbone.effects([thing_id]) == Counter()


async def test_redelivery_and_replay_from_offset_zero_have_no_second_effect(backbone, broker):
    ids = await backbone.change(20)
    await eventually(lambda: backbone.all_applied(ids), within=20)
    # Deliver every message of the topic again, straight to the group's consumer.
    replay = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap_servers, enable_auto_commit=False)
    await replay.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in range(3)]
        replay.assign(partitions)
        await replay.seek_to_beginning(*partitions)
        records = []
        while batch := await replay.getmany(timeout_ms=500):
            records += [r for rs in batch.values() for r in rs]
    finally:
        await replay.stop()
    for record in records:  # one by one
        await backbone.consumer.handle(record)
    batch = [d for record in records for d in backbone.consumer.decode(record)]
    assert await backbone.consumer.apply(batch + batch) == 0  # all together, twice over
    effects = await backbone.effects(ids)
    assert len(effects) == 20
    assert set(effects.values()) == {1}


async def test_a_transient_handler_failure_is_retried_and_applied_once(database_url, broker):
    flaky = new_id()
    running = Backbone(database_url("flaky"), broker.bootstrap_servers, fails={flaky: 2})
    await running.start()
    try:
        async with running.db.session() as session:
            await outbox.add(session, ThingHappened(thing_id=flaky))
            await session.commit()
        effects = await eventually(lambda: running.all_applied([flaky]), within=20)
    finally:
        await running.stop()
    assert effects == Counter({flaky: 1})


async def dead_letters(bootstrap_servers: str, group: str, reason: str | None = None) -> list:
    """Every message in the dead-letter topic that `group` sent there (for `reason`)."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(f"{TOPIC}.dlq", p) for p in range(3)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        found = []
        while batch := await reader.getmany(timeout_ms=300):
            found += [r for rs in batch.values() for r in rs]
    finally:
        await reader.stop()
    ours = [r for r in found if dict(r.headers).get("dlq-consumer-group") == group.encode()]
    return [
        r for r in ours if reason is None or dict(r.headers).get("dlq-reason") == reason.encode()
    ]


def _envelope(**data) -> bytes:
    return CloudEvent(
        id=new_id(),
        source="/flywheel/testkit",
        type="flywheel.testkit.thing.happened.v1",
        time="2026-11-25T00:00:00Z",
        data=data,
    ).to_bytes()


POISON = {
    "not-json": b"\xff{not json",
    "not-cloudevent": b'{"hello": "world"}',
    "unknown-type": CloudEvent(
        id=new_id(),
        source="/flywheel/testkit",
        type="flywheel.testkit.thing.vanished.v1",
        time="2026-11-25T00:00:00Z",
        data={},
    ).to_bytes(),
    "schema-invalid": _envelope(thing_id="not-a-uuid"),
}


async def test_poison_messages_go_to_the_dlq_and_the_consumer_keeps_going(backbone, broker):
    # A field this consumer's contract does not know yet (a newer publisher's additive change
    # within the version) is no poison: the event applies.
    newer = new_id()
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    await producer.start()
    try:
        for value in POISON.values():
            await producer.send_and_wait(TOPIC, value, key=b"poison")
        added = _envelope(thing_id=str(newer), noted_by="a field added later")
        await producer.send_and_wait(TOPIC, added, key=b"newer")
    finally:
        await producer.stop()
    ids = await backbone.change(5)
    await eventually(lambda: backbone.all_applied([*ids, newer]), within=20)

    async def all_dead_lettered():
        found = await dead_letters(broker.bootstrap_servers, backbone.group)
        return found if len(found) >= len(POISON) else None

    found = await eventually(all_dead_lettered, within=20)
    reasons = {dict(r.headers)["dlq-reason"].decode(): r for r in found}
    assert set(reasons) == set(POISON)
    for reason, record in reasons.items():
        assert record.value == POISON[reason]
        assert dict(record.headers)["dlq-topic"] == TOPIC.encode()
        assert dict(record.headers)["dlq-error"]


async def test_a_handler_that_keeps_failing_dead_letters_the_event(database_url, broker, caplog):
    doomed, fine = new_id(), new_id()
    running = Backbone(database_url("doomed"), broker.bootstrap_servers, fails={doomed: 99})
    await running.start()
    try:
        async with running.db.session() as session:
            doomed_event = await outbox.add(session, ThingHappened(thing_id=doomed))
            await outbox.add(session, ThingHappened(thing_id=fine))
            await session.commit()
        await eventually(lambda: running.all_applied([fine]), within=20)

        async def handler_failures():
            found = await dead_letters(broker.bootstrap_servers, running.group)
            return [r for r in found if dict(r.headers)["dlq-reason"] == b"handler-failed"]

        (record,) = await eventually(handler_failures, within=20)
    finally:
        await running.stop()
    headers = dict(record.headers)
    assert str(doomed).encode() in record.value
    assert b"transient failure" in headers["dlq-error"]
    assert await running.effects([doomed]) == Counter()
    # What an on-call engineer greps for: every line about the event names it.
    about = [
        r.getMessage()
        for r in caplog.records
        if getattr(r, "event_id", None) == str(doomed_event.id)
    ]
    assert any("dead-lettering" in line for line in about)
    assert any("dead-lettered handler-failed" in line for line in about)


async def test_dead_letters_replayed_after_the_fix_apply_once_however_often(
    database_url, broker, monkeypatch, capsys
):
    doomed, fine = new_id(), new_id()
    running = Backbone(database_url("replayed"), broker.bootstrap_servers, fails={doomed: 99})
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap_servers)
    await running.start()
    try:
        async with running.db.session() as session:
            doomed_event = await outbox.add(session, ThingHappened(thing_id=doomed))
            await outbox.add(session, ThingHappened(thing_id=fine))
            await session.commit()
        # Not any letter of the group: it also meets the other tests' poison, sooner.
        await eventually(
            lambda: dead_letters(broker.bootstrap_servers, running.group, dlq.HANDLER_FAILED),
            within=20,
        )
        capsys.readouterr()
        listing = ["list", TOPIC, "--group", running.group, "--reason", "handler-failed"]
        assert await dlq_command.main(listing) == 0  # a new group also meets others' poison
        # At least once: a rebalance under load can dead-letter the same event twice.
        listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert listed
        assert {(x["reason"], x["event"]["id"]) for x in listed} == {
            ("handler-failed", str(doomed_event.id))
        }

        running.fails.clear()  # the fix is deployed
        for _ in range(2):  # an engineer replays twice: the second changes nothing
            assert await dlq_command.main(["replay", TOPIC, "--group", running.group]) == 0
        await eventually(lambda: running.all_applied([doomed, fine]), within=20)
        out = capsys.readouterr().out
        await asyncio.sleep(1.0)  # room for a second application, were there one
        effects = await running.effects([doomed, fine])
    finally:
        await running.stop()
    assert effects == Counter({doomed: 1, fine: 1})
    # Of every group's letters on the topic, only this group's are replayed, each run.
    assert out.splitlines()[0].startswith(f"{len(listed)} of ")
    assert out.count(f"[{len(listed)}/{len(listed)}] replayed") == 2
    # Only this group's handler failures are chosen: another group's letters stay put.
    others = await dlq.read(broker.bootstrap_servers, TOPIC)
    assert dlq.chosen(others, group="nobody") == []


async def test_the_inbox_forgets_only_its_own_events_older_than_the_retention(backbone):
    old, recent = await backbone.change(3), await backbone.change(2)
    await eventually(lambda: backbone.all_applied(old + recent), within=20)
    long_ago = now() - timedelta(days=31)
    async with backbone.db.session() as session, session.begin():
        old_events = await event_ids(session, old)
        await session.execute(
            update(inbox).where(inbox.c.event_id.in_(old_events)).values(processed_at=long_ago)
        )
        others = {"consumer_group": "someone-else", "event_id": new_id(), "event_type": "x"}
        await session.execute(insert(inbox).values(**others, processed_at=long_ago))

    assert await backbone.consumer.prune_inbox() == 3

    async with backbone.db.session() as session:
        rows = await session.execute(select(inbox.c.consumer_group, inbox.c.event_id))
        remembered = set(rows)
        recent_events = await event_ids(session, recent)
    assert not remembered & {(backbone.group, e) for e in old_events}
    assert {(backbone.group, e) for e in recent_events} <= remembered
    assert ("someone-else", others["event_id"]) in remembered


async def event_ids(session, things: list[UUID]) -> list[UUID]:
    """The ids of the events the outbox holds about `things`."""
    query = select(outbox_table.c.event_id).where(outbox_table.c.key.in_([str(t) for t in things]))
    return list(await session.scalars(query))
