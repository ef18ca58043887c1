"""Batch handlers get each transaction's new events at once; a dependency down is no poison."""

from uuid import UUID

import pytest
from aiokafka import ConsumerRecord

from chassis.db import Database
from chassis.events import CloudEvent, EventData, event
from chassis.events.consumer import Decoded, GroupConsumer
from chassis.events.handlers import DependencyDown, Handler, consumes, consumes_all
from chassis.events.tables import messaging_metadata
from chassis.ids import new_id

TYPE = "flywheel.testkit.batch.seen.v1"


@event(TYPE, topic="flywheel.testkit.batch", key="item_id")
class Seen(EventData):
    item_id: UUID


def decoded(item_id: UUID) -> Decoded:
    data = Seen(item_id=item_id)
    envelope = CloudEvent(
        id=new_id(),
        source="/flywheel/testkit",
        type=TYPE,
        time="2026-11-25T00:00:00Z",
        data=data.model_dump(mode="json"),
    )
    return Decoded(envelope, data)


@pytest.fixture
async def db(database_url):
    database = Database(database_url("batch"), service="testkit")
    await database.create_database_if_missing()
    async with database.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    yield database
    await database.dispose()


def group(db: Database, *handlers: Handler) -> GroupConsumer:
    return GroupConsumer(
        f"batch-{new_id().hex[-12:]}",
        list(handlers),
        db=db,
        producer=None,
        bootstrap_servers="127.0.0.1:1",
        service="testkit",
        max_attempts=2,
        retry_backoff=0.01,
    )


async def test_a_batch_handler_gets_the_new_events_of_a_transaction_in_one_call(db):
    calls: list[list] = []
    one_by_one: list = []

    @consumes_all(batch=True)
    async def sink(envelopes: list[CloudEvent], session) -> None:
        calls.append([e.data["item_id"] for e in envelopes])

    @consumes(Seen)
    async def single(data: Seen, session) -> None:
        one_by_one.append(str(data.item_id))

    consumer = group(db, sink, single)
    first, second, third = (decoded(new_id()) for _ in range(3))
    assert await consumer.apply([first, second]) == 2
    # A redelivered event is left out of the next call; the new one goes in.
    assert await consumer.apply([second, third]) == 1
    assert await consumer.apply([third]) == 0
    ids = [str(d.payload.item_id) for d in (first, second, third)]
    assert calls == [ids[:2], ids[2:]]
    assert one_by_one == ids


async def test_a_failing_batch_handler_rolls_back_the_inbox_of_its_transaction(db):
    failures = [RuntimeError("store refused the write")]

    @consumes_all(batch=True)
    async def sink(envelopes, session) -> None:
        if failures:
            raise failures.pop()

    consumer = group(db, sink)
    event = decoded(new_id())
    with pytest.raises(RuntimeError):
        await consumer.apply([event])
    assert await consumer.apply([event]) == 1  # not recorded as applied the first time


async def test_a_dependency_down_rewinds_instead_of_dead_lettering(db):
    @consumes_all(batch=True)
    async def sink(envelopes, session) -> None:
        raise DependencyDown("the event store does not answer")

    consumer = group(db, sink)
    event = decoded(new_id()).envelope
    record = ConsumerRecord(
        topic="flywheel.testkit.batch",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=event.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=[],
    )
    # No producer: a dead-letter attempt would fail otherwise than with the rewind signal.
    with pytest.raises(ConnectionError, match="a dependency is down"):
        await consumer.handle(record)
