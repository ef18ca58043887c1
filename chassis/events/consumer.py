"""The idempotent consumer: inbox in the handler's transaction, offsets after, DLQ for the rest."""

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    ConsumerRecord,
    TopicPartition,
)
from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import metrics, tracing
from chassis.clock import now
from chassis.db import Database
from chassis.events.batches import items as items_of_batch
from chassis.events.envelope import CloudEvent
from chassis.events.handlers import DependencyDown, Handler
from chassis.events.registry import registry
from chassis.events.tables import inbox
from chassis.logs import handling_event

log = logging.getLogger(__name__)

COMMIT_TIMEOUT = 5.0
STOP_TIMEOUT = 10.0
PING_TIMEOUT = 5.0
# Built once, executed with one parameter set per event: SQLAlchemy sends them as one
# multi-row INSERT from a cached compilation (a `.values([...])` list is compiled each time).
_CLAIM = {
    dialect.dialect.name: dialect.insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)
    for dialect in (postgresql, sqlite)
}


class Poison(Exception):
    """A message no retry can fix: it goes to the dead-letter topic at once."""

    def __init__(self, reason: str, detail: str, event_id: UUID | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.event_id = event_id  # when the envelope could be read


class StartOver(Exception):
    """The broker was replaced by an empty one: rejoin and read from the earliest offset."""


@dataclass
class Decoded:
    envelope: CloudEvent
    payload: object


class GroupConsumer:
    """Consumes the topics of one consumer group and applies each event once."""

    def __init__(
        self,
        group: str,
        handlers: list[Handler],
        *,
        db: Database,
        producer: AIOKafkaProducer,
        bootstrap_servers: str,
        service: str,
        max_attempts: int = 5,
        retry_backoff: float = 0.2,
        session_timeout_ms: int = 10_000,
        fetch_max_wait_ms: int = 100,
        inbox_retention: timedelta = timedelta(days=30),
    ) -> None:
        self.group = group
        self.handlers = handlers
        self.db = db
        self.producer = producer
        self.bootstrap_servers = bootstrap_servers
        self.service = service
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self.session_timeout_ms = session_timeout_ms
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.inbox_retention = inbox_retention
        self.topics = sorted(set().union(*(h.topics() for h in handlers)))
        self.state = "starting"
        self._restart_requested = False
        # After a start-over, partitions on which we have committed since; None: no rewind.
        self._settled: set[TopicPartition] | None = None

    @property
    def state(self) -> str:
        """starting, joining (connecting, its group not joined yet), running (its group
        joined, partitions assigned, even none) or reconnecting (after an error); also the
        `flywheel_consumer_state` metric."""
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        self._state = value
        metrics.consumer_state.labels(self.service, self.group).state(value)

    def start_over(self) -> None:
        """Rejoin and read every partition from the beginning (the inbox absorbs repeats).

        A partition is rewound on each assignment until this consumer has committed on it,
        so offsets committed by a stale member in between cannot make us skip anything."""
        self._restart_requested = True

    async def run(self) -> None:
        """Consume until cancelled; connection trouble is retried, never fatal."""
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                group_id=self.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=500,
                # The group join waits about half the session timeout (seen on Tansu), so
                # tests run with a short one; production keeps the 10 s default.
                session_timeout_ms=self.session_timeout_ms,
                heartbeat_interval_ms=self.session_timeout_ms // 10,
                # Apache Kafka answers a fetch as soon as data arrives; Tansu holds it for the
                # whole wait, which then bounds the latency of every event.
                fetch_max_wait_ms=self.fetch_max_wait_ms,
            )
            consumer.subscribe(self.topics, listener=_Rewind(self, consumer))
            try:
                self.state = "joining"  # running once the group assigns (the listener)
                await consumer.start()
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.state = "reconnecting"
                log.warning("consumer %s restarting: %r", self.group, error)
                await asyncio.sleep(1.0)
            finally:
                await _quietly(consumer.stop())

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            if self._restart_requested:
                self._restart_requested = False
                self._settled = set()  # commits of this consumer count only from here on
                raise StartOver
            batches = await consumer.getmany(timeout_ms=500)
            if await self._apply_together([r for records in batches.values() for r in records]):
                done = {tp: records[-1].offset for tp, records in batches.items()}
            else:
                done = {}
                for tp, records in batches.items():
                    last = await self._apply_partition(consumer, tp, records)
                    if last is not None:
                        done[tp] = last
            if done:
                # A commit that fails or hangs (broker gone, or back empty and without our
                # group) ends this consumer; the next one rejoins and resumes from the
                # committed offsets, and the inbox absorbs whatever comes again.
                offsets = {tp: last + 1 for tp, last in done.items()}
                await asyncio.wait_for(consumer.commit(offsets), COMMIT_TIMEOUT)
                if self._settled is not None:
                    self._settled.update(done)
            await self._record_lag(consumer)

    async def _apply_partition(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord]
    ) -> int | None:
        """Settle the records of a poll that could not be applied together (a poison message
        or a failing handler among them) one by one, in order; return the last offset done.
        On a failure that is not the message's fault (database or broker down), rewind to it
        for the next poll."""
        last_done = None
        for record in records:
            try:
                await self.handle(record)
            except Exception as error:
                where = {"topic": tp.topic, "partition": tp.partition, "offset": record.offset}
                log.warning("cannot settle message; will retry: %r", error, extra=where)
                consumer.seek(tp, record.offset)
                await asyncio.sleep(self.retry_backoff)
                break
            last_done = record.offset
        return last_done

    async def _apply_together(self, records: list[ConsumerRecord]) -> bool:
        """Apply a whole poll in one transaction, the usual case: most of the cost of an
        event is its commit. False if it could not be, nothing applied then."""
        if not records:
            return False
        try:
            carried = [self.decode(record) for record in records]
        except Poison:
            return False
        decoded = [d for events in carried for d in events]
        try:
            applied = await self.apply(decoded) if decoded else 0
        except Exception:
            log.debug("batch failed; settling its messages one by one", exc_info=True)
            return False
        count = metrics.events_consumed.labels
        count(self.service, self.group, "applied").inc(applied)
        count(self.service, self.group, "duplicate").inc(len(decoded) - applied)
        count(self.service, self.group, "ignored").inc(carried.count([]))
        return True

    async def handle(self, record: ConsumerRecord) -> None:
        """Settle one record: applied, skipped as duplicate or unhandled, or dead-lettered."""
        try:
            decoded = self.decode(record)
        except Poison as poison:
            with handling_event(poison.event_id):
                await self.dead_letter(record, poison.reason, poison.detail)
            return
        if not decoded:
            metrics.events_consumed.labels(self.service, self.group, "ignored").inc()
            return
        with handling_event(decoded[0].envelope.id):
            await self._apply_with_retries(record, decoded)

    def decode(self, record: ConsumerRecord) -> list[Decoded]:
        """The events of `record` that a handler of the group handles: the record's own
        event, or the items of a batch event (chassis.events.batches); none to ignore."""
        try:
            raw = json.loads(record.value)
        except (TypeError, ValueError) as error:
            raise Poison("not-json", str(error)) from None
        try:
            envelope = CloudEvent.model_validate(raw)
        except ValidationError as error:
            raise Poison("not-cloudevent", _summary(error)) from None
        spec = registry.get(envelope.type)
        if spec is None:
            raise Poison("unknown-type", envelope.type, envelope.id)
        handled = registry.of(spec.batch_of).type if spec.batch_of else envelope.type
        if not any(h.handles(handled) for h in self.handlers):
            return []
        try:
            # Fields the contract here does not know are ignored: a publisher a release ahead
            # may add optional fields within a version (DESIGN: breaking means a new version).
            payload = spec.model.model_validate(envelope.data, extra="ignore")
        except ValidationError as error:
            raise Poison("schema-invalid", _summary(error), envelope.id) from None
        if spec.batch_of:
            return list(map(Decoded, items_of_batch(envelope), payload.events))
        return [Decoded(envelope, payload)]

    async def _apply_with_retries(self, record: ConsumerRecord, decoded: list[Decoded]) -> None:
        for attempt in range(1, self.max_attempts + 1):
            if attempt == self.max_attempts and not await self._database_answers():
                # Not the event's fault: rewind to it and try again later. The last attempt,
                # whose failure dead-letters the event, runs only with a database that answers.
                raise ConnectionError(f"the {self.service} database does not answer")
            try:
                applied = await self.apply(decoded)
            except Exception as error:
                if attempt == self.max_attempts and isinstance(error, DependencyDown):
                    raise ConnectionError(f"a dependency is down: {error}") from error
                if attempt == self.max_attempts:
                    log.exception("handler failed %d times; dead-lettering", attempt)
                    await self.dead_letter(record, "handler-failed", repr(error))
                    return
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))
            else:
                count = metrics.events_consumed.labels
                count(self.service, self.group, "applied").inc(applied)
                count(self.service, self.group, "duplicate").inc(len(decoded) - applied)
                return

    async def prune_inbox(self) -> int:
        """Forget events applied longer ago than the retention, which must exceed the topics'
        (a replay of anything older would apply it again). Hourly, by the service."""
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                delete(inbox).where(
                    inbox.c.consumer_group == self.group,
                    inbox.c.processed_at < now() - self.inbox_retention,
                )
            )
        return result.rowcount

    async def _database_answers(self) -> bool:
        try:
            await asyncio.wait_for(self.db.ping(), PING_TIMEOUT)
        except Exception:
            return False
        return True

    async def apply(self, batch: list[Decoded]) -> int:
        """Record the events in the inbox and run the handlers of those not seen before, all
        in one transaction; return how many were applied."""
        async with self.db.session() as session, session.begin():
            fresh = await self._claim(session, [d.envelope for d in batch])
            applied = len(fresh)
            batched: dict[Handler, list] = {}
            for decoded in batch:
                envelope = decoded.envelope
                if envelope.id not in fresh:
                    continue  # applied before, or earlier in this batch
                fresh.discard(envelope.id)
                with (
                    handling_event(envelope.id),
                    tracing.consuming(
                        (envelope.model_extra or {}).get("traceparent"),
                        event_type=envelope.type,
                        topic=registry.get(envelope.type).topic,
                        service=self.service,
                        group=self.group,
                    ),
                ):
                    for handler in self.handlers:
                        if handler.handles(envelope.type):
                            message = envelope if handler.types is None else decoded.payload
                            if handler.batch:
                                batched.setdefault(handler, []).append(message)
                            else:
                                await handler(message, session)
            for handler, messages in batched.items():
                await handler(messages, session)
        return applied

    async def _claim(self, session: AsyncSession, envelopes: list[CloudEvent]) -> set[UUID]:
        """Insert inbox rows; return the ids that were not there yet."""
        claimed_at = now()
        rows = {
            e.id: {
                "consumer_group": self.group,
                "event_id": e.id,
                "event_type": e.type,
                "processed_at": claimed_at,
            }
            for e in envelopes
        }
        result = await session.execute(_CLAIM[session.bind.dialect.name], list(rows.values()))
        return set(result.scalars())

    async def dead_letter(self, record: ConsumerRecord, reason: str, detail: str) -> None:
        headers = [
            *(record.headers or ()),
            ("dlq-reason", reason.encode()),
            ("dlq-error", detail[:2000].encode()),
            ("dlq-topic", record.topic.encode()),
            ("dlq-partition", str(record.partition).encode()),
            ("dlq-offset", str(record.offset).encode()),
            ("dlq-consumer-group", self.group.encode()),
        ]
        await self.producer.send_and_wait(
            f"{record.topic}.dlq", record.value, key=record.key, headers=headers
        )
        metrics.dlq_messages.labels(self.service, self.group, reason).inc()
        log.warning("dead-lettered %s at %s:%d", reason, record.topic, record.offset)

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is not None:
                lag = end - await consumer.position(tp)
                gauge = metrics.consumer_lag.labels(
                    self.service, self.group, tp.topic, tp.partition
                )
                gauge.set(lag)


class _Rewind(ConsumerRebalanceListener):
    def __init__(self, owner: GroupConsumer, consumer: AIOKafkaConsumer) -> None:
        self.owner = owner
        self.consumer = consumer

    async def on_partitions_revoked(self, revoked) -> None:
        pass

    async def on_partitions_assigned(self, assigned) -> None:
        self.owner.state = "running"
        settled = self.owner._settled
        if settled is not None and (unsettled := [tp for tp in assigned if tp not in settled]):
            await self.consumer.seek_to_beginning(*unsettled)


def _summary(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()
    )


async def _quietly(awaitable) -> None:
    """Await a client's shutdown, bounded: a broker that no longer answers must not hold it."""
    try:
        await asyncio.wait_for(awaitable, STOP_TIMEOUT)
    except Exception:
        log.debug("ignored error while stopping", exc_info=True)
