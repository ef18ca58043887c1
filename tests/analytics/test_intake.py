"""Collection's intake: waiting requests committed together, each event once; a request
refused when too much waits; nothing lost at shutdown or while the store is down."""

import asyncio
import contextlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually
from services.analytics.collect import intake as module
from services.analytics.collect.intake import CollectionBusy, Intake
from services.analytics.collect.schemas import CollectedEvent
from services.analytics.collect.service import Submission
from services.analytics.store import spool
from services.analytics.store.clickhouse import ChdbStore, StoreUnavailable
from services.analytics.store.consumers import recorder
from services.analytics.store.models import SpooledRows
from services.analytics.store.rows import BEHAVIOUR, ORDER_PAID


def submission(anonymous_id: str, count: int, first: int = 0) -> Submission:
    events = [
        CollectedEvent.model_validate(
            {"client_event_id": f"c-{n}", "name": "page_view", "client_time": now().isoformat()}
        )
        for n in range(first, first + count)
    ]
    return Submission(anonymous_id, None, list(enumerate(events)))


async def stored(store) -> list[str]:
    rows = await store.rows(
        "SELECT anonymous_id || '/' || JSONExtractString(data, 'client_event_id') AS key "
        "FROM {db:Identifier}.events FINAL ORDER BY key"
    )
    return [row["key"] for row in rows]


async def spooled(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(SpooledRows))


async def stop(runner: asyncio.Task) -> None:
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner


async def test_requests_that_wait_together_commit_together_each_event_once(db, store):
    intake = Intake(store)
    a, b = f"dev-{new_id().hex}", f"dev-{new_id().hex}"
    # Queued before the flush loop runs: one flush takes all three.
    answers = [
        asyncio.create_task(intake.submit(s))
        for s in (submission(a, 3), submission(a, 4), submission(b, 2))
    ]
    await asyncio.sleep(0)
    assert intake.pending == 9
    runner = asyncio.create_task(intake.run(db))
    try:
        first, again, other = await asyncio.gather(*answers)
        assert [k.client_event_id for k in first.accepted] == ["c-0", "c-1", "c-2"]
        assert [k.client_event_id for k in again.accepted] == ["c-3"]
        assert [k.client_event_id for k in again.duplicates] == ["c-0", "c-1", "c-2"]
        assert [k.index for k in other.accepted] == [0, 1]
        keys = [f"{a}/c-{n}" for n in range(4)] + [f"{b}/c-{n}" for n in range(2)]
        assert await eventually(lambda: _exactly(store, sorted(keys))) == sorted(keys)
    finally:
        await stop(runner)
    assert await spooled(db) == 0  # what the store holds is forgotten


async def _exactly(store, keys):
    found = await stored(store)
    return found if found == keys else None


async def test_a_request_beyond_what_may_wait_is_refused_and_told_when_to_retry(db, store):
    intake = Intake(store, max_pending=150)
    device = f"dev-{new_id().hex}"
    waiting = asyncio.create_task(intake.submit(submission(device, 100)))
    await asyncio.sleep(0)
    with pytest.raises(CollectionBusy) as refused:
        await intake.submit(submission(device, 60, first=100))
    assert refused.value.status == 503
    assert refused.value.headers == {"Retry-After": "1"}
    runner = asyncio.create_task(intake.run(db))
    try:
        assert len((await waiting).accepted) == 100
        # Once the queue has room again, the refused batch is taken.
        assert len((await intake.submit(submission(device, 60, first=100))).accepted) == 60
    finally:
        await stop(runner)


async def test_requests_waiting_at_shutdown_are_committed_and_stored(db, store):
    intake = Intake(store)
    device = f"dev-{new_id().hex}"
    runner = asyncio.create_task(intake.run(db))
    await asyncio.sleep(0)
    answers = [asyncio.create_task(intake.submit(submission(device, 5, 5 * n))) for n in range(4)]
    await asyncio.sleep(0)
    await stop(runner)  # before any flush: the stop flushes them
    assert [len((await answer).accepted) for answer in answers] == [5, 5, 5, 5]
    assert len(await stored(store)) == 20
    assert await spooled(db) == 0


class FlakyStore(ChdbStore):
    """A store whose inserts fail while `down`."""

    down = False

    def _insert(self, table: str, payload: str) -> None:
        if self.down:
            raise StoreUnavailable("the event store does not answer")
        super()._insert(table, payload)


async def test_events_the_store_did_not_take_stay_spooled_until_it_answers(db, chdb_dir):
    store = FlakyStore(chdb_dir, f"test_{new_id().hex[-12:]}")
    await store.ensure_schema()
    intake = Intake(store)
    device = f"dev-{new_id().hex}"
    runner = asyncio.create_task(intake.run(db))
    try:
        store.down = True
        assert len((await intake.submit(submission(device, 7))).accepted) == 7
        await eventually(lambda: _spooled_is(db, 1))
        assert await stored(store) == []
        with pytest.raises(StoreUnavailable):  # still down: the batch stays
            await spool.drain(store, db, older_than=timedelta(0))
        assert await spooled(db) == 1
        store.down = False
        assert await spool.drain(store, db, older_than=timedelta(0)) == 1
        assert len(await stored(store)) == 7
        assert await spooled(db) == 0
    finally:
        await stop(runner)
        await store.execute("DROP DATABASE IF EXISTS {db:Identifier}")


async def _spooled_is(db, count: int) -> bool | None:
    return True if await spooled(db) == count else None


def test_the_store_consumer_leaves_behaviour_to_collection(store):
    handler = recorder(store)
    assert "flywheel.analytics.behaviour" not in handler.topics()
    assert "flywheel.orders.order" in handler.topics()
    assert not handler.handles(BEHAVIOUR)
    assert handler.handles(ORDER_PAID)


async def test_up_to_max_flushing_transactions_commit_at_once(db, store, monkeypatch):
    at_once, most = 0, 0
    both_in = asyncio.Event()
    collect_many = module.service.collect_many

    async def counted(session, submissions):
        nonlocal at_once, most
        at_once += 1
        most = max(most, at_once)
        if at_once == 2:
            both_in.set()
        # Holds the transaction until a second one is open (or a moment, if none comes).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_in.wait(), 0.5)
        try:
            return await collect_many(session, submissions)
        finally:
            at_once -= 1

    monkeypatch.setattr(module.service, "collect_many", counted)
    for limit in (1, 2):
        most = 0
        both_in.clear()
        intake = Intake(store, max_flush=3, max_flushing=limit)
        device = f"dev-{new_id().hex}"
        answers = [
            asyncio.create_task(intake.submit(submission(device, 3, 3 * n))) for n in range(4)
        ]
        await asyncio.sleep(0)
        runner = asyncio.create_task(intake.run(db))
        try:
            assert [len((await a).accepted) for a in answers] == [3, 3, 3, 3]
        finally:
            await stop(runner)
        assert most == limit


async def test_transactions_at_once_sharing_keys_in_any_order_keep_each_event_once(db, store):
    # Past a thousand keys a transaction claims them in several statements, between which
    # another one's claims come: in opposite orders, each would wait for the other.
    intake = Intake(store, max_flush=2500, max_flushing=2)
    device = f"dev-{new_id().hex}"
    forward = submission(device, 2500)
    backward = Submission(device, None, list(reversed(forward.events)))
    answers = [asyncio.create_task(intake.submit(s)) for s in (forward, backward)]
    await asyncio.sleep(0)
    runner = asyncio.create_task(intake.run(db))
    try:
        results = await asyncio.gather(*answers)  # neither failed (no deadlock between them)
    finally:
        await stop(runner)
    assert sum(len(r.accepted) for r in results) == 2500
    assert sum(len(r.duplicates) for r in results) == 2500
    assert len(await stored(store)) == 2500


class HeldStore(ChdbStore):
    """A store whose first insert of events waits until `release` is set; inserts counted
    by their rows."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inserts: list[int] = []
        self.release = threading.Event()

    def _insert(self, table: str, payload: str) -> None:
        if table == "events":
            self.inserts.append(payload.count("\n") + 1)
            if len(self.inserts) == 1:
                self.release.wait(30)
        super()._insert(table, payload)


async def test_batches_committed_while_the_store_inserts_go_in_together(db, chdb_dir):
    store = HeldStore(chdb_dir, f"test_{new_id().hex[-12:]}")
    await store.ensure_schema()
    intake = Intake(store, max_flush=5)
    device = f"dev-{new_id().hex}"
    runner = asyncio.create_task(intake.run(db))
    try:
        await intake.submit(submission(device, 5))  # its insert holds the store
        await eventually(lambda: _inserting(store))
        later = [intake.submit(submission(device, 5, 5 * n)) for n in range(1, 4)]
        await asyncio.gather(*later)  # three transactions, committed during that insert
        store.release.set()
        await eventually(lambda: _exactly_count(store, 20), within=20)
    finally:
        store.release.set()
        await stop(runner)
        await store.execute("DROP DATABASE IF EXISTS {db:Identifier}")
    assert store.inserts == [5, 15]
    assert await spooled(db) == 0


async def _inserting(store: HeldStore) -> bool | None:
    return True if store.inserts else None


async def _exactly_count(store, count: int) -> bool | None:
    return True if len(await stored(store)) == count else None
