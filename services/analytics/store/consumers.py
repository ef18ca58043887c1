"""Every event, domain and behaviour, into the store: one write per consumed batch."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import CloudEvent
from chassis.events.handlers import DependencyDown, Handler, consumes_all
from contracts import load_contracts
from services.analytics.store import service
from services.analytics.store.clickhouse import EventStore, StoreUnavailable

load_contracts()


def recorder(store: EventStore) -> Handler:
    """The handler that writes into `store` (the running service's own)."""

    @consumes_all(batch=True)
    async def record(envelopes: list[CloudEvent], session: AsyncSession) -> None:
        try:
            await service.record(store, envelopes)
        except StoreUnavailable as error:
            raise DependencyDown(str(error)) from error

    return record
