"""Collected behaviour on its way into the store.

Collection writes behaviour into the store itself, in bulk, rather than reading it back from
the behaviour topic (ADR 0028): the rows are spooled in the transaction that accepts their
events, inserted right after it commits, and the spooled copy is then deleted. What the
insert did not reach (a store that is down, a process that stopped between the commit and
the insert) stays spooled, and the drain inserts it when the store answers. An insert that
lands twice (the drain racing a slow first insert) writes the same event ids again, which
the store's ReplacingMergeTree collapses like any redelivery.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.events import CloudEvent
from services.analytics.store.clickhouse import EventStore, StoreUnavailable, json_lines
from services.analytics.store.models import SpooledRows
from services.analytics.store.rows import event_rows, identity_links

log = logging.getLogger(__name__)
_table = SpooledRows.__table__
# A batch younger than this is still being inserted by the request path, not left behind.
GRACE = timedelta(seconds=30)
DRAIN_BATCHES = 20


@dataclass(frozen=True)
class Spooled:
    id: int
    events: str
    identities: str
    count: int


async def stage(session: AsyncSession, envelopes: list[CloudEvent]) -> Spooled | None:
    """Spool the store rows of `envelopes` in `session`'s transaction (None: no rows)."""
    if not envelopes:
        return None
    rows = event_rows(envelopes)
    events, identities = json_lines(rows), json_lines(identity_links(rows))
    spooled_id = await session.scalar(
        sa.insert(_table)
        .values(events=events, identities=identities, spooled_at=now())
        .returning(_table.c.id)
    )
    return Spooled(spooled_id, events, identities, len(rows))


async def insert(store: EventStore, *spooled: Spooled) -> bool:
    """Insert committed batches into the store, in one insert; False if the store did not
    take them (they stay spooled, for the drain). The caller forgets them once in."""
    try:
        await _insert(
            store,
            "\n".join(s.events for s in spooled if s.events),
            "\n".join(s.identities for s in spooled if s.identities),
        )
    except StoreUnavailable as error:
        count = sum(s.count for s in spooled)
        log.warning("event store unavailable; %d events stay spooled: %s", count, error)
        return False
    return True


async def forget(session: AsyncSession, ids: list[int]) -> None:
    """Delete the spooled copies of batches the store holds (in `session`'s transaction)."""
    if ids:
        await session.execute(delete(_table).where(_table.c.id.in_(ids)))


async def deliver(store: EventStore, db: Database, spooled: Spooled | None) -> None:
    """Insert a committed batch into the store and forget its spooled copy, or leave it
    spooled if the store did not take it."""
    if spooled is not None and await insert(store, spooled):
        async with db.session() as session, session.begin():
            await forget(session, [spooled.id])


async def drain(store: EventStore, db: Database, older_than: timedelta = GRACE) -> int:
    """Insert the batches left spooled for longer than `older_than`, oldest first; return how
    many. A store that is down raises, and they stay for the next turn."""
    async with db.session() as session, session.begin():
        left = (
            await session.execute(
                select(_table.c.id, _table.c.events, _table.c.identities)
                .where(_table.c.spooled_at < now() - older_than)
                .order_by(_table.c.id)
                .limit(DRAIN_BATCHES)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in left:
            await _insert(store, row.events, row.identities)
            await session.execute(delete(_table).where(_table.c.id == row.id))
    return len(left)


async def _insert(store: EventStore, events: str, identities: str) -> None:
    # Links first: a query that sees an event also sees who its anonymous id turned out to be.
    await store.insert_lines("identities", identities)
    await store.insert_lines("events", events)
