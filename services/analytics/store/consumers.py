"""Every domain event into the store: one write per consumed batch. Behaviour is not read
back from its topic: collection writes it into the store itself (store/spool.py)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import CloudEvent
from chassis.events.handlers import DependencyDown, Handler, consumes_all
from contracts import load_contracts
from contracts.analytics import BehaviourRecorded
from services.analytics.store import service
from services.analytics.store.clickhouse import EventStore, StoreUnavailable

load_contracts()


def recorder(store: EventStore) -> Handler:
    """The handler that writes into `store` (the running service's own)."""

    @consumes_all(batch=True, excluding=(BehaviourRecorded,))
    async def record(envelopes: list[CloudEvent], session: AsyncSession) -> None:
        try:
            await service.record(store, envelopes)
        except StoreUnavailable as error:
            raise DependencyDown(str(error)) from error

    return record
