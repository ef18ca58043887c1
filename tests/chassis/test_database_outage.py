"""A consumer whose own database is down keeps its events for later: it dead-letters none."""

import asyncio
from collections import Counter

import asyncpg
import pytest
from sqlalchemy import select
from stack import POSTGRES
from test_backbone import TOPIC, Base, Effect, ThingHappened, dead_letters

from chassis.db import Database
from chassis.events import kafka, outbox
from chassis.events.consumer import GroupConsumer
from chassis.events.handlers import Handler
from chassis.events.tables import messaging_metadata
from chassis.ids import new_id
from chassis.testing import eventually, need

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def allow_connections(name: str, allowed: bool) -> None:
    """Open or close a database to new connections, and end the open ones when closing."""
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
    finally:
        await admin.close()


@pytest.fixture
async def consumer_database():
    need("PostgreSQL", 5432)
    name = f"test_outage_{new_id().hex[-12:]}"
    db = Database(f"{POSTGRES}/{name}", service="testkit")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
        await conn.run_sync(Base.metadata.create_all)
    yield name, db
    await db.dispose()
    await allow_connections(name, True)
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', timeout=30)
    finally:
        await admin.close()


async def test_events_wait_while_the_consumers_database_is_down(consumer_database, broker):
    name, db = consumer_database
    group = f"testkit-{new_id().hex[-12:]}"

    async def handle(data: ThingHappened, session) -> None:
        session.add(Effect(thing_id=data.thing_id))

    producer = kafka.producer(broker.bootstrap_servers)
    await producer.start()
    consumer = GroupConsumer(
        group,
        [Handler(group, handle, frozenset({"flywheel.testkit.thing.happened.v1"}))],
        db=db,
        producer=producer,
        bootstrap_servers=broker.bootstrap_servers,
        service="testkit",
        max_attempts=2,
        retry_backoff=0.05,
        session_timeout_ms=2000,
    )
    await allow_connections(name, False)
    task = asyncio.create_task(consumer.run())
    try:
        ids = [new_id() for _ in range(3)]
        keys = {str(thing_id).encode() for thing_id in ids}
        for thing_id in ids:
            envelope = outbox.envelope_for(
                ThingHappened(thing_id=thing_id), source="/flywheel/testkit"
            )
            await producer.send_and_wait(TOPIC, envelope.to_bytes(), key=str(thing_id).encode())
        await asyncio.sleep(4)  # many more attempts than max_attempts, all failing
        await allow_connections(name, True)

        async def applied():
            async with db.session() as session:
                rows = await session.scalars(
                    select(Effect.thing_id).where(Effect.thing_id.in_(ids))
                )
                found = Counter(rows)
            return found if len(found) == len(ids) else None

        effects = await eventually(applied, within=30)
    finally:
        task.cancel()
        await asyncio.wait([task], timeout=15)
        await producer.stop()
    assert set(effects.values()) == {1}
    # The group also read the topic's older messages (other tests' poison among them): only
    # the dead letters about this test's events count.
    ours = [r for r in await dead_letters(broker.bootstrap_servers, group) if r.key in keys]
    assert ours == []
