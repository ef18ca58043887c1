"""Events the analytics service consumes: all of them, into the event store."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import CloudEvent
from chassis.events.handlers import consumes_all
from contracts import load_contracts
from services.analytics.models import StoredEvent

load_contracts()


@consumes_all()
async def record(envelope: CloudEvent, session: AsyncSession) -> None:
    session.add(
        StoredEvent(
            id=envelope.id,
            type=envelope.type,
            source=envelope.source,
            subject=envelope.subject,
            time=envelope.time,
            data=envelope.data,
        )
    )
