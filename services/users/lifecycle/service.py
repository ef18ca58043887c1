"""Operations on the lifecycle: deciding a user's stage (with its event and its timer), firing
due timers, the daily safety sweep, and the operators' rules."""

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from prometheus_client import Counter
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import background
from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput
from contracts.users import LifecycleChanged, LifecycleStage
from services.users.accounts.models import User
from services.users.lifecycle import machine
from services.users.lifecycle.models import LifecycleRules, LifecycleState, LifecycleTimer
from services.users.metrics import service as metrics
from services.users.metrics.models import UserActivity
from services.users.segments import service as segments

log = logging.getLogger(__name__)

TIMER_BATCH = 200
SWEEP_BATCH = 500
THRESHOLDS = ("new_days", "dormant_days", "churned_days", "high_value_spend", "high_value_orders")

sweep_fixes = Counter(
    "flywheel_lifecycle_sweep_fixes_total",
    "What the daily lifecycle sweep found wrong and fixed (stage: a move no timer made; "
    "timer: missing or later than due)",
    ["service", "kind"],
)


def _rules(row: LifecycleRules) -> machine.Rules:
    return machine.Rules(row.version, *(getattr(row, name) for name in THRESHOLDS))


async def current_rules(session: AsyncSession) -> LifecycleRules:
    return await session.scalar(
        select(LifecycleRules).order_by(LifecycleRules.version.desc()).limit(1)
    )


async def change_rules(
    session: AsyncSession, expected_version: int, thresholds: dict, by: UUID
) -> LifecycleRules:
    """Make the next version of the rules from `thresholds`, if `expected_version` is still
    the current one; every staged user is then due to be decided again under it."""
    current = await current_rules(session)
    if expected_version != current.version:
        raise Conflict(f"The rules are at version {current.version}, not {expected_version}.")
    rules = machine.Rules(current.version + 1, **thresholds)
    if problem := rules.problem():
        raise InvalidInput(f"body.{problem[0]}", problem[1])
    row = LifecycleRules(version=rules.version, **thresholds, created_at=now(), created_by=by)
    session.add(row)
    try:
        await session.flush()  # the primary key decides between concurrent changes
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"The rules moved past version {expected_version} meanwhile.") from None
    await session.execute(update(LifecycleTimer).values(due_at=now()))
    await session.commit()
    return row


async def _create(session: AsyncSession, model, user_id: UUID, **values) -> bool:
    """Insert the user's row unless it exists; True if this call made it."""
    table = model.__table__
    statement = (
        insert_for(session, table)
        .values(user_id=user_id, **values)
        .on_conflict_do_nothing()
        .returning(table.c.user_id)
    )
    return await session.scalar(statement) is not None


@dataclass(frozen=True)
class Decided:
    transition: machine.Transition | None
    timer_before: datetime | None
    timer_was_missing: bool
    timer_after: datetime | None


async def decide(session: AsyncSession, user_id: UUID, at: datetime | None = None) -> Decided:
    """Decide the user's stage from their metrics now (or `at`), publish the move if there
    is one, and set their timer; in the caller's transaction. Redelivered events decide the
    same stage again, which moves nothing and publishes nothing."""
    at = at or now()
    facts = await metrics.facts(session, user_id)
    if facts is None or facts.paid_orders == 0:
        return Decided(None, None, False, None)  # potential: no clock runs, nothing kept
    rules = _rules(await current_rules(session))
    # Timer first, then stage: the scheduler locks in the same order.
    timer_was_missing = await _create(session, LifecycleTimer, user_id, due_at=None)
    await _create(
        session,
        LifecycleState,
        user_id,
        stage=LifecycleStage.POTENTIAL,
        since=at,
        rule_version=rules.version,
    )
    timer_before = await session.scalar(
        select(LifecycleTimer.due_at).where(LifecycleTimer.user_id == user_id).with_for_update()
    )
    stage, decided_under, since = (
        await session.execute(
            select(LifecycleState.stage, LifecycleState.rule_version, LifecycleState.since)
            .where(LifecycleState.user_id == user_id)
            .with_for_update()
        )
    ).one()
    # Never decide as of a moment before the last decision (replicas' clocks differ a
    # little): the stage moves forward in time only.
    at = max(at, since)
    known = machine.Facts(
        facts.paid_orders, facts.net_spend, facts.first_paid_at, facts.last_active_at
    )
    transition = machine.decide(
        stage, known, rules, at, rules_changed=decided_under < rules.version
    )
    values = {"rule_version": rules.version}
    if transition is not None:
        values |= {"stage": transition.to_stage, "since": at}
    moved = await session.execute(
        update(LifecycleState)
        .where(LifecycleState.user_id == user_id, LifecycleState.stage == stage)
        .values(**values)
    )
    if moved.rowcount != 1:
        raise RuntimeError(f"the stage of {user_id} changed under its lock")
    if transition is not None:
        await outbox.add(
            session,
            LifecycleChanged(
                user_id=user_id,
                from_stage=transition.from_stage,
                to_stage=transition.to_stage,
                reason=transition.reason,
                rule_version=rules.version,
                changed_at=at,
            ),
        )
        # segments reading the stage follow it, however the move came (event or timer)
        await segments.refresh(session, user_id, {"lifecycle.stage"})
    due = machine.next_change(known, rules, at)
    await session.execute(
        update(LifecycleTimer).where(LifecycleTimer.user_id == user_id).values(due_at=due)
    )
    return Decided(transition, timer_before, timer_was_missing, due)


async def fire_due(db: Database, at: datetime | None = None) -> int:
    """Decide again every user whose timer is due, a batch in one transaction. Returns how
    many fired."""
    at = at or now()

    async def fire(session: AsyncSession, user_id: UUID) -> None:
        await decide(session, user_id, at)

    return await background.fire_due(
        db, LifecycleTimer.user_id, LifecycleTimer.due_at, at, TIMER_BATCH, fire
    )


async def sweep(db: Database, at: datetime | None = None) -> dict[str, int]:
    """Decide every user who ever paid, as the timers should have: the safety net behind
    them. Counts (logs, and `flywheel_lifecycle_sweep_fixes_total`) the moves no timer made
    and the timers that were missing or later than due."""
    at = at or now()
    fixed = {"stage": 0, "timer": 0}
    after = None
    while True:
        async with db.session() as session, session.begin():
            statement = select(UserActivity.user_id).where(UserActivity.paid_orders > 0)
            if after is not None:
                statement = statement.where(UserActivity.user_id > after)
            batch = (
                await session.scalars(statement.order_by(UserActivity.user_id).limit(SWEEP_BATCH))
            ).all()
            for user_id in batch:
                decided = await decide(session, user_id, at)
                fixed["stage"] += decided.transition is not None
                fixed["timer"] += decided.timer_was_missing or _late(decided)
        if len(batch) < SWEEP_BATCH:
            break
        after = batch[-1]
    for kind, count in fixed.items():
        sweep_fixes.labels("users", kind).inc(count)
    if any(fixed.values()):
        log.warning("lifecycle sweep fixed what the timers missed", extra={"fixed": fixed})
    else:
        log.info("lifecycle sweep found nothing to fix")
    return fixed


def _late(decided: Decided) -> bool:
    """The stored timer would have fired after it was due (or never)."""
    if decided.timer_after is None:
        return False
    return decided.timer_before is None or decided.timer_before > decided.timer_after


async def state(
    session: AsyncSession, user_id: UUID
) -> tuple[LifecycleState | None, datetime | None]:
    row = await session.get(LifecycleState, user_id)
    timer = await session.scalar(
        select(LifecycleTimer.due_at).where(LifecycleTimer.user_id == user_id)
    )
    return row, timer


def users_in(stage: LifecycleStage):
    """A condition on `User.id`: the user is in `stage` (potential: never decided)."""
    staged = select(LifecycleState.user_id)
    if stage == LifecycleStage.POTENTIAL:
        potential = staged.where(LifecycleState.stage != LifecycleStage.POTENTIAL)
        return User.id.not_in(potential)
    return User.id.in_(staged.where(LifecycleState.stage == stage))


async def distribution(session: AsyncSession) -> dict[LifecycleStage, int]:
    counts = dict.fromkeys(LifecycleStage, 0)
    rows = await session.execute(
        select(LifecycleState.stage, func.count()).group_by(LifecycleState.stage)
    )
    for stage, count in rows:
        counts[stage] += count
    staged = select(LifecycleState.user_id)
    counts[LifecycleStage.POTENTIAL] += await session.scalar(
        select(func.count()).select_from(User).where(User.id.not_in(staged))
    )
    return counts
