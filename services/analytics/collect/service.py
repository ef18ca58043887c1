"""Collection's operations: publish each client event once, onto the behaviour topic."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.ids import new_id
from contracts.analytics import Action, BehaviourRecorded, BotSignal
from services.analytics.collect.models import CollectedKey
from services.analytics.collect.rules import MAX_PAST
from services.analytics.collect.schemas import CollectedEvent, Kept

_table = CollectedKey.__table__
# Built once per dialect: the unique key decides which copy of a client event is the first.
_CLAIM = {
    dialect.dialect.name: dialect.insert(_table)
    .on_conflict_do_nothing()
    .returning(_table.c.client_event_id)
    for dialect in (postgresql, sqlite)
}
KEYS_KEPT = MAX_PAST + timedelta(days=1)


@dataclass(frozen=True)
class Collected:
    accepted: list[Kept]
    duplicates: list[Kept]


async def collect(
    session: AsyncSession,
    anonymous_id: str,
    user_id: UUID | None,
    events: list[tuple[int, CollectedEvent]],
    signals: dict[int, list[BotSignal]],
) -> Collected:
    """Publish the events whose client event id this anonymous id has not sent before, each
    with the bot signals found at its index; one transaction, so a batch retried after a
    failure publishes what the first did not."""
    first: dict[str, tuple[int, CollectedEvent]] = {}
    for index, event in events:
        first.setdefault(event.client_event_id, (index, event))
    claimed: set[str] = set()
    if first:
        at = now()
        rows = [
            {"anonymous_id": anonymous_id, "client_event_id": key, "collected_at": at}
            for key in first
        ]
        result = await session.execute(_CLAIM[session.bind.dialect.name], rows)
        claimed = set(result.scalars())
    accepted = [(index, event) for key, (index, event) in first.items() if key in claimed]
    await outbox.add_all(
        session,
        [
            _recorded(event, anonymous_id, user_id, signals.get(index, []))
            for index, event in accepted
        ],
    )
    await session.commit()
    accepted_indexes = {index for index, _ in accepted}
    return Collected(
        accepted=[Kept(index=i, client_event_id=e.client_event_id) for i, e in accepted],
        duplicates=[
            Kept(index=i, client_event_id=e.client_event_id)
            for i, e in events
            if i not in accepted_indexes
        ],
    )


def _recorded(
    event: CollectedEvent, anonymous_id: str, user_id: UUID | None, signals: list[BotSignal]
) -> BehaviourRecorded:
    return BehaviourRecorded(
        behaviour_id=new_id(),
        actor=str(user_id) if user_id else anonymous_id,
        user_id=user_id,
        anonymous_id=anonymous_id,
        client_event_id=event.client_event_id,
        action=Action(event.name),
        target=event.target,
        properties=event.properties,
        occurred_at=event.client_time,
        bot_signals=signals,
    )


async def prune_keys(db: Database, before: datetime | None = None) -> int:
    """Forget dedup keys older than any client event collection still accepts (hourly)."""
    cutoff = before or now() - KEYS_KEPT
    async with db.session() as session, session.begin():
        result = await session.execute(delete(_table).where(_table.c.collected_at < cutoff))
    return result.rowcount
