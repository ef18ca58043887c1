"""The transactional outbox: events are rows written in the same transaction as the change."""

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import PENDING_OUTBOX
from chassis.events.envelope import CloudEvent, EventData
from chassis.events.registry import registry
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.logs import current_request_id

_INSERT = insert(outbox)  # built once: its compiled form is cached, the values vary


def envelope_for(data: EventData, *, source: str) -> CloudEvent:
    spec = registry.of(data)
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
    service = session.info.get("service", "unknown")
    envelope = envelope_for(data, source=f"/flywheel/{service}")
    request_id = current_request_id.get()
    if request_id:
        envelope.__pydantic_extra__["requestid"] = request_id
    spec = registry.of(data)
    await session.execute(
        _INSERT,
        {
            "event_id": envelope.id,
            "type": spec.type,
            "topic": spec.topic,
            "key": envelope.subject,
            "payload": envelope.to_bytes().decode(),
            "created_at": envelope.time,
            "attempts": 0,
        },
    )
    session.info[PENDING_OUTBOX] = True
    return envelope
