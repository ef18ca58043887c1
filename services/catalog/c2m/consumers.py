"""Handlers of the demand signals C2M reads from events: the catalog's own searches that found
nothing (published by browse in the request's transaction, read back here)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import SearchMissed
from services.catalog.c2m import service


@consumes(SearchMissed)
async def on_search_missed(event: SearchMissed, session: AsyncSession) -> None:
    await service.record_search_miss(session, event)


HANDLERS = [on_search_missed]
