"""Operations on RFM: scoring a user as their events arrive and as their recency timer
comes due, recomputing the cut-offs over the population (nightly, or when operators set or
clear theirs), forgetting an erased user, reading scores and the distribution. Every change
of a user's code is announced (`RfmScoresChanged`) in the transaction that makes it."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import background
from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from contracts.users import RfmCutsChanged, RfmScoresChanged
from services.users.accounts.models import User
from services.users.metrics import service as metrics
from services.users.metrics.models import UserActivity
from services.users.rfm import scoring
from services.users.rfm.models import RfmCuts, RfmScore, RfmTimer
from services.users.rfm.scoring import Cause
from services.users.segments import service as segments

CUTS_ID = 1
QUINTILES, OPERATOR = "quintiles", "operator"
CHUNK = 1000  # rows per upsert (well inside SQLite's bound parameters), users per batch
TIMER_BATCH = 500  # timers fired per transaction
FIELDS = {"rfm.r", "rfm.f", "rfm.m"}  # what segments read of this domain
TIMERS = RfmTimer.__table__


def edges_of(row: RfmCuts) -> scoring.Edges:
    return scoring.Edges(tuple(row.recency_days), tuple(row.frequency), tuple(row.monetary))


def _values(last_paid_at: datetime, paid_orders: int, net_spend: int, at: datetime) -> tuple:
    return scoring.days_since(last_paid_at, at), paid_orders, max(0, net_spend)


def _row(user_id: UUID, values: tuple, edges: scoring.Edges, at: datetime) -> dict:
    recency, frequency, monetary = values
    scores = scoring.score(edges, recency_days=recency, frequency=frequency, monetary=monetary)
    return {
        "user_id": user_id,
        "recency_days": recency,
        "frequency": frequency,
        "monetary": monetary,
        "r": scores.recency,
        "f": scores.frequency,
        "m": scores.monetary,
        "scored_at": at,
    }


def _scored(row: RfmScore | dict | None) -> scoring.Scored | None:
    if row is None:
        return None
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return scoring.Scored(get("frequency"), get("monetary"), f"{get('r')}{get('f')}{get('m')}")


async def _upsert(session: AsyncSession, table, rows: list[dict], key: str = "user_id") -> None:
    for start in range(0, len(rows), CHUNK):
        statement = insert_for(session, table).values(rows[start : start + CHUNK])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c[key]],
                set_={c.name: statement.excluded[c.name] for c in table.c if c.name != key},
            )
        )


async def _lock(session: AsyncSession, user_ids: Sequence[UUID]) -> None:
    """Take the users' timer rows (made if missing), in user order: every scoring of a user
    holds it, so two never decide from the same scores, and each announced change starts
    from the code the last one ended at."""
    ordered = sorted(set(user_ids))
    if not ordered:
        return
    await session.execute(
        insert_for(session, TIMERS)
        .values([{"user_id": user_id, "due_at": None} for user_id in ordered])
        .on_conflict_do_nothing()
    )
    await session.execute(
        select(RfmTimer.user_id)
        .where(RfmTimer.user_id.in_(ordered))
        .order_by(RfmTimer.user_id)
        .with_for_update()
    )


def _announcement(user_id: UUID, change: scoring.Change, at: datetime) -> RfmScoresChanged:
    return RfmScoresChanged(
        user_id=user_id,
        from_code=change.from_code,
        to_code=change.to_code,
        reason=change.reason,
        changed_at=at,
    )


async def cuts(session: AsyncSession) -> RfmCuts | None:
    return await session.get(RfmCuts, CUTS_ID)


async def _erased(session: AsyncSession, user_id: UUID) -> bool:
    return await session.scalar(select(User.erased_at).where(User.id == user_id)) is not None


async def rescore(
    session: AsyncSession, user_id: UUID, at: datetime | None = None, cause: Cause = Cause.PAID
) -> scoring.Change | None:
    """Score one user against the cut-offs in force, in the caller's transaction, set their
    recency timer, and announce the change of code if there is one (nothing for a user who
    never paid or was erased). Returns the change.

    Before any cut-offs exist (a fresh population, the nightly run not yet come), the first
    user to be scored computes the first quintiles at once, over everyone who has paid so far
    themselves included (`recompute(first_for=...)`), so a first paid order is announced on
    the day; the nightly run then moves the cut-offs and announces only the codes it moves."""
    at = at or now()
    row = await cuts(session)
    activity = await metrics.facts(session, user_id)
    if activity is None or activity.paid_orders == 0:
        return None  # paid orders never fall: no lock is needed to know there is nothing
    if row is None:
        row = await recompute(session, at, first_for=user_id)
    await _lock(session, [user_id])
    if await _erased(session, user_id):
        await session.execute(delete(RfmTimer).where(RfmTimer.user_id == user_id))
        return None
    activity = await session.get(UserActivity, user_id, populate_existing=True)
    before = _scored(await session.get(RfmScore, user_id, populate_existing=True))
    edges = edges_of(row)
    values = _values(activity.last_paid_at, activity.paid_orders, activity.net_spend, at)
    scored = _row(user_id, values, edges, at)
    await _upsert(session, RfmScore.__table__, [scored])
    due = scoring.recency_drops_at(activity.last_paid_at, at, edges.recency_days)
    await session.execute(update(RfmTimer).where(RfmTimer.user_id == user_id).values(due_at=due))
    change = scoring.change(before, _scored(scored), cause)
    if change is not None:
        await outbox.add(session, _announcement(user_id, change, at))
        if cause is Cause.TIMER:  # events' own handlers refresh segments after this one
            await session.flush()
            await segments.refresh(session, user_id, FIELDS, at)
    return change


async def fire_due(db: Database, at: datetime | None = None) -> int:
    """Score again every user whose recency timer is due, a batch in one transaction; each
    fired timer moves to the next cut-off or clears. Returns how many fired."""
    at = at or now()

    async def fire(session: AsyncSession, user_id: UUID) -> None:
        await rescore(session, user_id, at, Cause.TIMER)

    return await background.fire_due(db, RfmTimer.user_id, RfmTimer.due_at, at, TIMER_BATCH, fire)


async def next_fall(session: AsyncSession, user_id: UUID) -> datetime | None:
    """When the user's recency timer fires (None: it does not run)."""
    return await session.scalar(select(RfmTimer.due_at).where(RfmTimer.user_id == user_id))


async def forget(session: AsyncSession, user_id: UUID, at: datetime) -> None:
    """The user is erased: no longer scored; their last scores are announced gone."""
    await _lock(session, [user_id])
    before = _scored(await session.get(RfmScore, user_id, populate_existing=True))
    await session.execute(delete(RfmScore).where(RfmScore.user_id == user_id))
    await session.execute(delete(RfmTimer).where(RfmTimer.user_id == user_id))
    change = scoring.change(before, None, Cause.ERASED)
    if change is not None:
        await outbox.add(session, _announcement(user_id, change, at))


async def _locked_cuts(session: AsyncSession, at: datetime) -> tuple[RfmCuts, bool]:
    """The row of cut-offs, locked for this transaction, and whether this call created it:
    two first recomputes at once both find no row, and only one may insert it."""
    row = await session.get(RfmCuts, CUTS_ID, with_for_update=True)
    if row is not None:
        return row, False
    table = RfmCuts.__table__
    placeholder = {"basis": QUINTILES, "recency_days": [], "frequency": [], "monetary": []}
    created = await session.scalar(
        insert_for(session, table)
        .values(id=CUTS_ID, population=0, computed_at=at, **placeholder)
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )
    row = await session.get(RfmCuts, CUTS_ID, with_for_update=True, populate_existing=True)
    return row, created is not None


def _scorable():
    """Who is scored: users who paid, unless erased."""
    erased = select(User.id).where(User.erased_at.is_not(None))
    return (UserActivity.paid_orders > 0, UserActivity.user_id.not_in(erased))


async def _rescore_batch(
    session: AsyncSession,
    user_ids: Sequence[UUID],
    edges: scoring.Edges,
    at: datetime,
    cuts_moved: bool,
) -> None:
    """Score a batch of users against `edges`, set their timers, announce the codes that
    changed. Their facts are read after their locks, so a payment counted meanwhile is in,
    and a user erased meanwhile is out."""
    await _lock(session, user_ids)
    facts = await session.execute(
        select(
            UserActivity.user_id,
            UserActivity.last_paid_at,
            UserActivity.paid_orders,
            UserActivity.net_spend,
        ).where(UserActivity.user_id.in_(user_ids), *_scorable())
    )
    before = {
        row.user_id: _scored(row)
        for row in await session.scalars(
            select(RfmScore)
            .where(RfmScore.user_id.in_(user_ids))
            .execution_options(populate_existing=True)
        )
    }
    rows, timers, changes = [], [], []
    for user_id, last_paid_at, orders, spend in facts:
        scored = _row(user_id, _values(last_paid_at, orders, spend, at), edges, at)
        rows.append(scored)
        due = scoring.recency_drops_at(last_paid_at, at, edges.recency_days)
        timers.append({"user_id": user_id, "due_at": due})
        change = scoring.change(
            before.get(user_id), _scored(scored), Cause.CUTS, cuts_moved=cuts_moved
        )
        if change is not None:
            changes.append(_announcement(user_id, change, at))
    await _upsert(session, RfmScore.__table__, rows)
    await _upsert(session, TIMERS, timers)
    # erased since the population was read: no longer scored (erasure deleted the scores)
    gone = set(user_ids) - {row["user_id"] for row in rows}
    if gone:
        await session.execute(delete(RfmTimer).where(RfmTimer.user_id.in_(gone)))
    if changes:
        await outbox.add_all(session, changes)


async def recompute(
    session: AsyncSession,
    at: datetime | None = None,
    *,
    operator: scoring.Edges | None = None,
    basis: str | None = None,
    first_for: UUID | None = None,
) -> RfmCuts:
    """Recompute the cut-offs and rescore everyone scorable, in the caller's transaction:
    quintiles of the population unless the basis is the operator's (`operator` sets new
    ones; `basis=QUINTILES` drops them). Publishes `RfmCutsChanged` when the cut-offs move,
    and `RfmScoresChanged` for each user whose code moved, a batch of users at a time.

    `first_for`: only if no cut-offs exist yet (else the row in force is returned as it is),
    the first quintiles, made because that user is to be scored; they are left out of the
    rescoring, as their caller scores them (their first scores are their `first_order`)."""
    at = at or now()
    population = [
        (user_id, _values(last_paid_at, orders, spend, at))
        for user_id, last_paid_at, orders, spend in await session.execute(
            select(
                UserActivity.user_id,
                UserActivity.last_paid_at,
                UserActivity.paid_orders,
                UserActivity.net_spend,
            ).where(*_scorable())
        )
    ]
    row, first = await _locked_cuts(session, at)
    if first_for is not None and not first:
        return row  # another transaction made the first cut-offs meanwhile: they are in force
    if operator is not None:
        basis, edges = OPERATOR, operator
    elif (basis or row.basis) == OPERATOR:
        basis, edges = OPERATOR, edges_of(row)
    else:
        basis, edges = QUINTILES, scoring.edges_from([values for _, values in population])
    before = None if first else (row.basis, edges_of(row))
    row.basis, row.population, row.computed_at = basis, len(population), at
    row.recency_days = list(edges.recency_days)
    row.frequency, row.monetary = list(edges.frequency), list(edges.monetary)
    cuts_moved = before is None or before[1] != edges
    user_ids = sorted(user_id for user_id, _ in population if user_id != first_for)
    for start in range(0, len(user_ids), CHUNK):
        await _rescore_batch(session, user_ids[start : start + CHUNK], edges, at, cuts_moved)
    # everyone was rescored: segments reading RFM are brought to what SQL selects now
    await segments.rematerialize(session, FIELDS)
    if before != (basis, edges):
        await outbox.add(
            session,
            RfmCutsChanged(
                basis=basis,
                recency_days=row.recency_days,
                frequency=row.frequency,
                monetary=row.monetary,
                population=row.population,
                changed_at=at,
            ),
        )
    return row


async def nightly(db: Database) -> None:
    async with db.session() as session, session.begin():
        await recompute(session)


async def score_of(session: AsyncSession, user_id: UUID) -> RfmScore | None:
    return await session.get(RfmScore, user_id)


async def distribution(session: AsyncSession) -> dict[str, dict[str, int]]:
    """Users per score of each dimension (1..5), and per RFM code ("543")."""
    result = {}
    for name, column in (
        ("recency", RfmScore.r),
        ("frequency", RfmScore.f),
        ("monetary", RfmScore.m),
    ):
        rows = await session.execute(select(column, func.count()).group_by(column))
        counts = {score: count for score, count in rows}
        result[name] = {str(score): counts.get(score, 0) for score in range(1, 6)}
    codes = await session.execute(
        select(RfmScore.r, RfmScore.f, RfmScore.m, func.count())
        .group_by(RfmScore.r, RfmScore.f, RfmScore.m)
        .order_by(RfmScore.r, RfmScore.f, RfmScore.m)
    )
    result["codes"] = {f"{r}{f}{m}": count for r, f, m, count in codes}
    return result
