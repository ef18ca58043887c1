"""Staging events in the outbox, in-process on SQLite (no broker): the rows written, the
envelope's extensions, the size limit and the commit's wake-up of the relay.

Fast, so that `make mutants` runs them for every mutant of `chassis/events/outbox.py`; the
publication itself goes through the real broker in test_backbone.py."""

import json
from datetime import UTC, datetime
from uuid import UUID

import pytest
from sqlalchemy import select

from chassis.db import Database
from chassis.events import EventData, event, outbox
from chassis.events.tables import messaging_metadata
from chassis.events.tables import outbox as outbox_table
from chassis.ids import new_id
from chassis.logs import current_request_id

CRATES = "flywheel.testkit.crate"
# Figures the tests pin, not the module's constant (a test reading it would follow any change).
MAX_BYTES = 900_000
AT = datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)


@event("flywheel.testkit.crate.packed.v1", topic=CRATES, key="crate_id")
class CratePacked(EventData):
    crate_id: UUID
    label: str = ""


@event("flywheel.testkit.crate.batch_packed.v1", topic=CRATES, key="crate_id", batch_of=CratePacked)
class CratesPacked(EventData):
    crate_id: UUID
    events: list[CratePacked]


@pytest.fixture
async def db(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}", service="testkit")
    async with database.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    yield database
    await database.dispose()


async def staged(db: Database) -> list[dict]:
    async with db.session() as session:
        rows = await session.execute(select(outbox_table).order_by(outbox_table.c.seq))
        return [dict(row._mapping) for row in rows]


async def test_each_event_is_a_row_of_its_envelope_pending_and_never_tried(db):
    crates = [new_id(), new_id()]
    async with db.session() as session:
        envelopes = await outbox.add_all(session, [CratePacked(crate_id=c) for c in crates])
        await session.commit()
    rows = await staged(db)
    assert [row["key"] for row in rows] == [str(c) for c in crates]  # in the order given
    for row, envelope in zip(rows, envelopes, strict=True):
        assert row["event_id"] == envelope.id
        assert row["type"] == envelope.type == "flywheel.testkit.crate.packed.v1"
        assert row["topic"] == CRATES
        assert row["payload"] == envelope.to_bytes().decode()
        assert row["created_at"] == envelope.time
        assert (row["attempts"], row["published_at"], row["last_error"]) == (0, None, None)
        sent = json.loads(row["payload"])
        assert sent["source"] == "/flywheel/testkit"
        assert sent["subject"] == row["key"]
        assert "requestid" not in sent
        assert "traceparent" not in sent


async def test_one_event_added_is_its_own_envelope(db):
    crate = new_id()
    async with db.session() as session:
        envelope = await outbox.add(session, CratePacked(crate_id=crate, label="fragile"))
        await session.commit()
    assert envelope.subject == str(crate)
    assert envelope.data == {"crate_id": str(crate), "label": "fragile"}
    assert [row["event_id"] for row in await staged(db)] == [envelope.id]


async def test_the_request_and_the_trace_go_with_the_event(db, monkeypatch):
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    monkeypatch.setattr(outbox.tracing, "current_traceparent", lambda: traceparent)
    token = current_request_id.set("req-42")
    try:
        async with db.session() as session:
            envelope = await outbox.add(session, CratePacked(crate_id=new_id()))
            await session.commit()
    finally:
        current_request_id.reset(token)
    assert envelope.model_extra == {"requestid": "req-42", "traceparent": traceparent}
    (row,) = await staged(db)
    sent = json.loads(row["payload"])
    assert (sent["requestid"], sent["traceparent"]) == ("req-42", traceparent)


async def test_a_commit_with_events_wakes_the_relay_and_one_without_does_not(db):
    woken: list[int] = []
    db.on_outbox_commit.append(lambda: woken.append(1))
    async with db.session() as session:
        assert await outbox.add_all(session, []) == []
        await session.commit()
    assert (woken, await staged(db)) == ([], [])
    async with db.session() as session:
        await outbox.add(session, CratePacked(crate_id=new_id()))
        await session.commit()
    assert woken == [1]


async def test_an_event_of_the_broker_limit_is_staged_and_one_byte_more_is_refused(db, monkeypatch):
    monkeypatch.setattr(outbox, "now", lambda: AT)
    crate = new_id()
    async with db.session() as session:
        bare = outbox.envelope_for(CratePacked(crate_id=crate), source="/flywheel/testkit")
        room = MAX_BYTES - len(bare.to_bytes())  # what the label may take
        await outbox.add(session, CratePacked(crate_id=crate, label="x" * room))
        with pytest.raises(outbox.EventTooLarge) as refused:
            await outbox.add(session, CratePacked(crate_id=crate, label="x" * (room + 1)))
        await session.commit()
    assert str(refused.value) == (
        "flywheel.testkit.crate.packed.v1 of 900,001 bytes; events carry at most 900,000 "
        "(publish references to large content, not the content)"
    )
    (row,) = await staged(db)
    assert len(row["payload"]) == MAX_BYTES


async def test_a_batch_with_an_item_keyed_otherwise_is_refused_and_one_keyed_alike_staged(db):
    crate = new_id()
    items = [CratePacked(crate_id=crate, label=str(n)) for n in range(2)]
    async with db.session() as session:
        envelope = await outbox.add(session, CratesPacked(crate_id=crate, events=items))
        stray = [*items, CratePacked(crate_id=new_id())]
        with pytest.raises(
            ValueError, match=r"^item 2 of flywheel\.testkit\.crate\.batch_packed\.v1 "
        ):
            await outbox.add(session, CratesPacked(crate_id=crate, events=stray))
        await session.commit()
    assert [row["event_id"] for row in await staged(db)] == [envelope.id]
    assert envelope.type == "flywheel.testkit.crate.batch_packed.v1"
