"""The transactional outbox: events are rows written in the same transaction as the change."""

from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import tracing
from chassis.clock import now
from chassis.db import PENDING_OUTBOX
from chassis.events import batches
from chassis.events.envelope import CloudEvent, EventData
from chassis.events.registry import registry
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.logs import current_request_id

_INSERT = insert(outbox)  # built once: its compiled form is cached, the values vary
# Kafka's default limits are 1 MiB per message (the producer's max_request_size, the
# broker's message.max.bytes): a larger event would be refused at every publish attempt
# and hold back every event behind it in the outbox. Refused here instead, with its change.
MAX_EVENT_BYTES = 900_000


class EventTooLarge(ValueError):
    """An event that the broker would refuse; the change that causes it must not commit."""


# `*` into `/` (make mutants) is equivalent: every caller names `source`.
def envelope_for(data: EventData, *, source: str) -> CloudEvent:  # pragma: no mutate
    spec = registry.of(data)
    if spec.batch_of is not None:
        batches.check_keys(spec, data)
    return CloudEvent(
        id=new_id(),
        source=source,
        type=spec.type,
        time=now(),
        subject=spec.key_of(data),
        data=data.model_dump(mode="json"),
    )


async def add(session: AsyncSession, data: EventData) -> CloudEvent:
    """Stage `data` as an event; it is published only if the session's transaction commits."""
    return (await add_all(session, [data]))[0]  # pragma: no mutate ([-1] of one is [0])


async def add_all(session: AsyncSession, events: Iterable[EventData]) -> list[CloudEvent]:
    """Stage several events in one statement (a bulk change writes one per aggregate).

    They are published in the order given."""
    source = f"/flywheel/{session.info.get('service', 'unknown')}"
    request_id = current_request_id.get()
    traceparent = tracing.current_traceparent()
    envelopes, rows = [], []
    for data in events:
        envelope = envelope_for(data, source=source)
        if request_id:
            envelope.__pydantic_extra__["requestid"] = request_id
        if traceparent:
            envelope.__pydantic_extra__["traceparent"] = traceparent
        payload = envelope.to_bytes()
        if len(payload) > MAX_EVENT_BYTES:
            raise EventTooLarge(
                f"{envelope.type} of {len(payload):,} bytes; events carry at most "
                f"{MAX_EVENT_BYTES:,} (publish references to large content, not the content)"
            )
        rows.append(
            {
                "event_id": envelope.id,
                "type": envelope.type,
                "topic": registry.of(data).topic,
                "key": envelope.subject,
                "payload": payload.decode(),
                "created_at": envelope.time,
                "attempts": 0,
            }
        )
        envelopes.append(envelope)
    if rows:
        await session.execute(_INSERT, rows)
        session.info[PENDING_OUTBOX] = True
    return envelopes
