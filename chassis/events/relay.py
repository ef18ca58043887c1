"""The outbox relay: publishes outbox rows in order and marks them sent."""

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select, update

from chassis import metrics
from chassis.background import drain
from chassis.clock import now
from chassis.db import Database
from chassis.events.envelope import CONTENT_TYPE
from chassis.events.tables import outbox

RETENTION = timedelta(days=7)


class OutboxRelay:
    """Publishes pending rows whenever a transaction commits new ones, or every `poll` seconds.

    Safe with several replicas: each batch is claimed with FOR UPDATE SKIP LOCKED, so two
    relays never publish the same rows at once. A publish failure leaves the rows pending;
    the relay backs off and tries again, so a broker outage delays events and loses none.
    """

    def __init__(
        self,
        db: Database,
        producer: AIOKafkaProducer,
        *,
        service: str,
        batch_size: int = 500,
        poll: float = 1.0,
    ) -> None:
        self.db = db
        self.producer = producer
        self.service = service
        self.batch_size = batch_size
        self.poll = poll
        self._wake = asyncio.Event()
        db.on_outbox_commit.append(self._wake.set)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await drain(self.publish_batch, self._woken, what="outbox publish")

    async def _woken(self) -> None:
        """Until a commit adds rows, or `poll` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll)
        self._wake.clear()

    async def publish_batch(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self.db.session() as session, session.begin():
            rows = (
                await session.execute(
                    select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            headers = [("content-type", CONTENT_TYPE.encode())]
            seqs = [row.seq for row in rows]
            try:
                deliveries = [
                    await self.producer.send(
                        row.topic, row.payload.encode(), key=row.key.encode(), headers=headers
                    )
                    for row in rows
                ]
                await asyncio.gather(*deliveries)
            except Exception as error:
                failure = error
                values = {"attempts": outbox.c.attempts + 1, "last_error": repr(error)[:1000]}
            else:
                failure = None
                values = {"published_at": now()}
            await session.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(**values))
        if failure:
            raise failure
        for row in rows:
            metrics.events_published.labels(self.service, row.topic).inc()
        return len(rows)

    async def prune(self) -> int:
        """Delete rows published longer ago than the retention window (hourly, by the
        service: `chassis.http.service`)."""
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                delete(outbox).where(outbox.c.published_at < now() - RETENTION)
            )
        return result.rowcount


@dataclass(frozen=True)
class Backlog:
    """The rows waiting to be published: how many, and how long the oldest has waited."""

    pending: int
    oldest_age_seconds: float


async def backlog_report(db: Database, service: str) -> Backlog:
    """Measure the backlog, and export it as gauges (count and age of the oldest row)."""
    async with db.session() as session:
        pending, oldest = (
            await session.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.published_at.is_(None)
                )
            )
        ).one()
    # SQLite returns the aggregate of a UtcDateTime column as text.
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
    age = max((now() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    metrics.outbox_backlog.labels(service).set(pending or 0)
    metrics.outbox_oldest_age.labels(service).set(age)
    return Backlog(pending or 0, round(age, 3))


async def backlog(db: Database, service: str) -> int:
    """Count the rows not yet published (and export the gauges)."""
    return (await backlog_report(db, service)).pending
