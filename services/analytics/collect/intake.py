"""The intake: a bounded queue between the collection route and the database.

Each request's judged events wait here, and one flush commits the events of every request
waiting (up to `MAX_FLUSH` events) in one transaction (dedup keys, outbox rows, the store's
spooled rows), then answers each request, then hands the batch to the store writer, which
inserts it into the store while the next flushes commit (the spooled copy is deleted by a
later flush's transaction). Up to `MAX_FLUSHING` flushes commit at once: a flush mostly
waits for the database, and on a busy machine one at a time leaves the process idle. A
request is answered 202 only once its events are committed, so an accepted event is never
only in memory; what many requests pay for together is the transaction and the store insert,
which cost per write rather than per event (ADR 0028). When more than `MAX_PENDING` events
wait, a request is refused at once (503 with Retry-After) rather than queued without bound:
the client keeps its events and sends them again; a store slower than the intake holds the
flushes back (at most `MAX_INSERTING` batches wait for it), so its slowness reaches clients
the same way. At shutdown the loop flushes until nothing waits (the server has stopped
taking requests by then, and finished the ones in flight) and lets the writer finish.
"""

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field

from chassis.db import Database
from chassis.http.problems import ServiceUnavailable
from services.analytics.collect import service
from services.analytics.collect.service import Collected, Submission
from services.analytics.store import spool
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.spool import Spooled

log = logging.getLogger(__name__)

MAX_PENDING = 20_000  # events waiting for a flush; more is 503
MAX_FLUSH = 5_000  # events per transaction (whole requests: one may take it past)
MAX_INSERTING = 8  # committed batches waiting for the store insert
# Transactions committing at once: a flush mostly waits for the database (its statements
# and the commit's WAL flush), so a few at once keep the process busy; more than a few
# only take connections from the pool.
MAX_FLUSHING = 3
RETRY_AFTER_S = 1


class CollectionBusy(ServiceUnavailable):
    """More events wait than the intake holds: send them again in a moment."""

    slug = "collection-busy"


class CollectionFailed(ServiceUnavailable):
    """The transaction that would have kept the events failed: none of them was kept."""

    slug = "collection-failed"


@dataclass
class _Waiting:
    submission: Submission
    answer: asyncio.Future = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Intake:
    def __init__(
        self,
        store: EventStore,
        *,
        max_pending: int = MAX_PENDING,
        max_flush: int = MAX_FLUSH,
        max_inserting: int = MAX_INSERTING,
        max_flushing: int = MAX_FLUSHING,
    ) -> None:
        self.store = store
        self.max_pending = max_pending
        self.max_flush = max_flush
        self.max_flushing = max_flushing
        self._waiting: deque[_Waiting] = deque()
        self._pending = 0  # events in `_waiting`
        self._wake = asyncio.Event()
        self._inserting: asyncio.Queue[Spooled] = asyncio.Queue(max_inserting)
        self._inserted: list[int] = []  # spooled batches the store holds, to forget

    @property
    def pending(self) -> int:
        return self._pending

    async def submit(self, submission: Submission) -> Collected:
        """Queue one request's events and wait until they are committed."""
        count = len(submission.events)
        if not count:
            return Collected(accepted=[], duplicates=[])
        if self._pending and self._pending + count > self.max_pending:
            raise CollectionBusy(
                f"{self._pending:,} collected events wait to be kept; send again in a moment",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        waiting = _Waiting(submission)
        self._waiting.append(waiting)
        self._pending += count
        self._wake.set()
        return await waiting.answer

    async def run(self, db: Database) -> None:
        """Flush whatever waits, as long as the service runs, in up to `max_flushing`
        transactions at once; when cancelled (the service stops), let those finish, flush
        what is left and let the store writer finish first."""
        writer = asyncio.create_task(self._write())
        flushing: set[asyncio.Task] = set()
        try:
            while True:
                while self._waiting and len(flushing) < self.max_flushing:
                    task = asyncio.create_task(self._commit(db, self._take()))
                    flushing.add(task)
                    task.add_done_callback(self._flushed(flushing))
                await self._wake.wait()
                self._wake.clear()
        except asyncio.CancelledError:
            await asyncio.gather(*flushing, return_exceptions=True)
            while self._waiting:
                await self.flush(db)
            await self._inserting.join()
            await self._forget_inserted(db)
            raise
        finally:
            writer.cancel()

    def _flushed(self, flushing: set[asyncio.Task]):
        def done(task: asyncio.Task) -> None:
            flushing.discard(task)
            self._wake.set()  # a slot is free for what waits

        return done

    async def flush(self, db: Database) -> int:
        """Commit one transaction's worth of the waiting requests, answer them, and queue
        their rows for the store; return how many events were flushed."""
        return await self._commit(db, self._take())

    def _take(self) -> list[_Waiting]:
        """The requests of the next transaction, oldest first: whole requests, up to
        `max_flush` events (one alone may take it past)."""
        taken: list[_Waiting] = []
        events = 0
        while self._waiting:
            size = len(self._waiting[0].submission.events)
            if taken and events + size > self.max_flush:
                break
            taken.append(self._waiting.popleft())
            events += size
        self._pending -= events
        return taken

    async def _commit(self, db: Database, taken: list[_Waiting]) -> int:
        events = sum(len(w.submission.events) for w in taken)
        # Each transaction forgets the spooled copies the store took since the last one;
        # given back if it fails, for the next.
        inserted, self._inserted = self._inserted, []
        try:
            async with db.session() as session:
                await spool.forget(session, inserted)
                results, spooled = await service.collect_many(
                    session, [w.submission for w in taken]
                )
        except Exception as error:
            log.warning("collection flush failed", extra={"error": repr(error)})
            self._inserted[:0] = inserted
            for waiting in taken:
                if not waiting.answer.done():
                    waiting.answer.set_exception(
                        CollectionFailed("the events could not be kept; send them again")
                    )
            return events
        for waiting, result in zip(taken, results, strict=True):
            if not waiting.answer.done():  # a client that went away cancelled it
                waiting.answer.set_result(result)
        if spooled is not None:
            await self._inserting.put(spooled)  # waits while the store is behind
        return events

    async def _write(self) -> None:
        """Insert the committed batches into the store, in order, all those waiting in one
        insert (the store's cost is per insert more than per row). Those the store does
        not take stay spooled, for the drain."""
        while True:
            batches = [await self._inserting.get()]
            while not self._inserting.empty():
                batches.append(self._inserting.get_nowait())
            try:
                if await spool.insert(self.store, *batches):
                    self._inserted += [spooled.id for spooled in batches]
            except Exception:
                log.exception("store insert failed; the batches stay spooled")
            finally:
                for _ in batches:
                    self._inserting.task_done()

    async def _forget_inserted(self, db: Database) -> None:
        if self._inserted:
            async with db.session() as session, session.begin():
                await spool.forget(session, self._inserted)
            self._inserted.clear()
