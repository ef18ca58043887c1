"""Alert rules: their operations, and their evaluation against the event store."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.events import outbox
from chassis.http.destinations import Destinations, UnsafeDestination
from chassis.http.problems import InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from chassis.secrets import SecretBox
from contracts.analytics import AlertFired, AlertRecovered
from services.analytics.alerts.models import AlertRule, WebhookDelivery
from services.analytics.alerts.rules import (
    CHANGES,
    AlertState,
    Reading,
    breached,
    figure,
    next_state,
)
from services.analytics.alerts.schemas import RuleIn, RulePatch
from services.analytics.alerts.signing import new_secret
from services.analytics.metrics.service import totals
from services.analytics.store.clickhouse import EventStore

log = logging.getLogger(__name__)
WEEK = timedelta(weeks=1)


async def create(
    session: AsyncSession, rule: RuleIn, destinations: Destinations, box: SecretBox
) -> tuple[AlertRule, str]:
    """The new rule, and its webhook secret: shown once, stored only sealed."""
    fields = rule.model_dump()
    fields["webhook_url"] = await _destination(_url(rule.webhook_url), destinations)
    secret = new_secret()
    created = AlertRule(**fields, webhook_secret=box.seal(secret), state=AlertState.OK)
    session.add(created)
    await session.commit()
    return created, secret


async def get(session: AsyncSession, rule_id: UUID) -> AlertRule:
    rule = await session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound(f"no alert rule {rule_id}")
    return rule


async def list_rules(
    session: AsyncSession, page: PageRequest
) -> tuple[list[AlertRule], str | None]:
    return await fetch_page(session, select(AlertRule), key=[AlertRule.id], page=page)


async def change(
    session: AsyncSession, rule_id: UUID, patch: RulePatch, destinations: Destinations
) -> AlertRule:
    """A changed rule keeps its state: the next evaluation fires or recovers it."""
    rule = await get(session, rule_id)
    for field, value in patch.model_dump(exclude_unset=True).items():
        if value is None and field != "webhook_url":
            raise InvalidInput(f"body.{field}", "may not be null (only `webhook_url` may)")
        if field == "webhook_url":
            value = await _destination(_url(value), destinations)
        setattr(rule, field, value)
    await session.commit()
    return rule


async def delete(session: AsyncSession, rule_id: UUID) -> None:
    await session.delete(await get(session, rule_id))
    await session.commit()


async def evaluate(db: Database, store: EventStore, at: datetime) -> int:
    """Read every rule's metric over the window ending at `at` and fire or recover the
    rules whose condition changed; returns how many changed here (not on another replica)."""
    async with db.session() as session:
        rules = list(await session.scalars(select(AlertRule).order_by(AlertRule.id)))
    changed = 0
    for rule in rules:
        reading = await read(store, rule, at)
        target = next_state(rule.state, breached(rule.condition, rule.threshold, reading))
        if target is not rule.state:
            changed += await _move(db, rule, target, reading, at)
    return changed


async def read(store: EventStore, rule: AlertRule, at: datetime) -> Reading:
    window = timedelta(seconds=rule.window_s)
    now_ = await totals(store, at - window, at, rule.currency)
    if rule.condition not in CHANGES:
        return Reading(figure(rule.metric, now_))
    before = await totals(store, at - window - WEEK, at - WEEK, rule.currency)
    return Reading(figure(rule.metric, now_), figure(rule.metric, before))


async def _move(
    db: Database, rule: AlertRule, target: AlertState, reading: Reading, at: datetime
) -> int:
    """Move the rule to `target` only from the state it was read in, in the statement that
    also writes its event and delivery: of two replicas, one moves it and one finds it moved."""
    async with db.session() as session, session.begin():
        moved = await session.execute(
            update(AlertRule)
            .where(AlertRule.id == rule.id, AlertRule.state == rule.state)
            .values(state=target, state_changed_at=at)
        )
        if moved.rowcount != 1:
            return 0
        kind = AlertFired if target is AlertState.FIRING else AlertRecovered
        envelope = await outbox.add(
            session,
            kind(
                rule_id=rule.id,
                name=rule.name,
                metric=rule.metric,
                currency=rule.currency,
                condition=rule.condition,
                threshold=rule.threshold,
                window_s=rule.window_s,
                value=reading.value,
                baseline=reading.baseline,
                at=at,
            ),
        )
        if rule.webhook_url:
            # The body is the event itself: its `id` lets a receiver drop a repeat.
            session.add(
                WebhookDelivery(
                    rule_id=rule.id, url=rule.webhook_url, body=envelope.to_bytes().decode()
                )
            )
    log.info("alert %s %s", rule.name, target.value, extra={"rule_id": str(rule.id)})
    return 1


async def _destination(url: str | None, destinations: Destinations) -> str | None:
    if url is not None:
        try:
            await destinations.check(url)
        except UnsafeDestination as error:
            raise InvalidInput("body.webhook_url", str(error)) from None
    return url


def _url(url) -> str | None:
    return None if url is None else str(url)
