"""Collection's operations: publish each client event once, onto the behaviour topic in
batches of one actor's events, and spool it for the store."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.ids import new_ids
from contracts.analytics import BehaviourBatchRecorded, BotSignal
from services.analytics.collect.models import CollectedKey
from services.analytics.collect.rules import MAX_PAST, properties_bytes
from services.analytics.collect.schemas import CollectedEvent
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
# A batch event must stay under what the broker takes in one message: it is cut before the
# bound of its events' sizes reaches this (the envelope around them takes the rest). An
# event's bound: its properties' JSON, every character of its strings escaped (6 bytes),
# and the fields of fixed size (ids, names, times, signals).
BATCH_BYTES = outbox.MAX_EVENT_BYTES - 20_000
FIXED_BYTES = 600


@dataclass(frozen=True)
class Submission:
    """One collect request's judged events: each valid one at its index in the batch, with
    the bot signals found at that index."""

    anonymous_id: str
    user_id: UUID | None
    events: list[tuple[int, CollectedEvent]]
    signals: dict[int, list[BotSignal]] = field(default_factory=dict)


class Kept(NamedTuple):
    """An event of a request, by its index in the batch, as collection kept it."""

    index: int
    client_event_id: str


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
        # In key order: transactions committing at once that share keys take their locks
        # in one order, so neither waits for the other in a circle (a deadlock).
        rows = [
            {"anonymous_id": anonymous_id, "client_event_id": key, "collected_at": at}
            for anonymous_id, key in sorted(first)
        ]
        result = await session.execute(_CLAIM[session.bind.dialect.name], rows)
        claimed = {(row.anonymous_id, row.client_event_id) for row in result}
    winners = {first[key] for key in claimed}
    behaviour_ids = iter(new_ids(len(winners)))
    recorded, results = [], []
    for number, submission in enumerate(submissions):
        accepted, duplicates = [], []
        anonymous_id, user_id = submission.anonymous_id, submission.user_id
        actor = str(user_id) if user_id else anonymous_id
        for index, event in submission.events:
            kept = Kept(index, event.client_event_id)
            if (number, index) not in winners:
                duplicates.append(kept)
                continue
            accepted.append(kept)
            # The payload of a BehaviourRecorded, validated with its batch in one call.
            recorded.append(
                {
                    "behaviour_id": next(behaviour_ids),
                    "actor": actor,
                    "user_id": user_id,
                    "anonymous_id": anonymous_id,
                    "client_event_id": event.client_event_id,
                    "action": event.name,
                    "target": event.target,
                    "properties": event.properties,
                    "occurred_at": event.client_time,
                    "bot_signals": submission.signals.get(index, ()),
                }
            )
        results.append(Collected(accepted, duplicates))
    spooled = await publish(session, recorded)
    await session.commit()
    return results, spooled


async def publish(session: AsyncSession, recorded: list[dict[str, Any]]) -> Spooled | None:
    """Stage the behaviour of `recorded` (payloads of `BehaviourRecorded`) in `session`'s
    transaction: onto the behaviour topic, in batches of one actor's events (one outbox row
    and one message per batch rather than per event: ADR 0029), and into the store's
    spool."""
    envelopes = await outbox.add_all(session, batched(recorded))
    return await spool.stage(session, envelopes)


def batched(recorded: list[dict[str, Any]]) -> list[BehaviourBatchRecorded]:
    """`recorded` in batches, each of one actor's events in their order, each within the
    size of a message."""
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for item in recorded:
        by_actor.setdefault(item["actor"], []).append(item)
    found = []
    for actor, items in by_actor.items():
        events, size = [], 0
        for item in items:
            bound = _size_bound(item)
            if events and size + bound > BATCH_BYTES:
                found.append(_batch(actor, events))
                events, size = [], 0
            events.append(item)
            size += bound
        found.append(_batch(actor, events))
    return found


def _batch(actor: str, events: list[dict[str, Any]]) -> BehaviourBatchRecorded:
    return BehaviourBatchRecorded.model_validate({"actor": actor, "events": events})


def _size_bound(item: dict[str, Any]) -> int:
    strings = (item["target"], item["client_event_id"], item["anonymous_id"], item["actor"])
    return (
        FIXED_BYTES
        + properties_bytes(item["properties"])
        + 6 * sum(len(text) for text in strings if text)
    )


async def prune_keys(db: Database, before: datetime | None = None) -> int:
    """Forget dedup keys older than any client event collection still accepts (hourly)."""
    cutoff = before or now() - KEYS_KEPT
    async with db.session() as session, session.begin():
        result = await session.execute(delete(_table).where(_table.c.collected_at < cutoff))
    return result.rowcount
