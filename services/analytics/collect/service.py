"""Collection's operations: publish each client event once, onto the behaviour topic, and
spool it for the store."""

from dataclasses import dataclass, field
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
from services.analytics.store import spool
from services.analytics.store.spool import Spooled

_table = CollectedKey.__table__
# Built once per dialect: the unique key decides which copy of a client event is the first.
_CLAIM = {
    dialect.dialect.name: dialect.insert(_table)
    .on_conflict_do_nothing()
    .returning(_table.c.anonymous_id, _table.c.client_event_id)
    for dialect in (postgresql, sqlite)
}
KEYS_KEPT = MAX_PAST + timedelta(days=1)


@dataclass(frozen=True)
class Submission:
    """One collect request's judged events: each valid one at its index in the batch, with
    the bot signals found at that index."""

    anonymous_id: str
    user_id: UUID | None
    events: list[tuple[int, CollectedEvent]]
    signals: dict[int, list[BotSignal]] = field(default_factory=dict)


@dataclass(frozen=True)
class Collected:
    accepted: list[Kept]
    duplicates: list[Kept]


async def collect_many(
    session: AsyncSession, submissions: list[Submission]
) -> tuple[list[Collected], Spooled | None]:
    """Publish the events of `submissions` that were not sent before, each once (the first
    copy, in the order given, wins), and spool their store rows; one transaction, so a
    batch retried after a failure publishes what the first did not. Returns what became of
    each submission, and the spooled rows to deliver to the store once committed."""
    first: dict[tuple[str, str], tuple[int, int]] = {}
    for number, submission in enumerate(submissions):
        for index, event in submission.events:
            first.setdefault((submission.anonymous_id, event.client_event_id), (number, index))
    claimed: set[tuple[str, str]] = set()
    if first:
        at = now()
        rows = [
            {"anonymous_id": anonymous_id, "client_event_id": key, "collected_at": at}
            for anonymous_id, key in first
        ]
        result = await session.execute(_CLAIM[session.bind.dialect.name], rows)
        claimed = {(row.anonymous_id, row.client_event_id) for row in result}
    winners = {first[key] for key in claimed}
    recorded, results = [], []
    for number, submission in enumerate(submissions):
        accepted, duplicates = [], []
        for index, event in submission.events:
            kept = Kept(index=index, client_event_id=event.client_event_id)
            if (number, index) in winners:
                accepted.append(kept)
                recorded.append(
                    _recorded(
                        event,
                        submission.anonymous_id,
                        submission.user_id,
                        submission.signals.get(index, []),
                    )
                )
            else:
                duplicates.append(kept)
        results.append(Collected(accepted, duplicates))
    envelopes = await outbox.add_all(session, recorded)
    spooled = await spool.stage(session, envelopes)
    await session.commit()
    return results, spooled


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
