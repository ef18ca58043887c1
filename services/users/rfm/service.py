"""Operations on RFM: scoring a user as their events arrive, recomputing the cut-offs over
the population (nightly, or when operators set or clear theirs), reading scores and the
distribution."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from contracts.users import RfmCutsChanged
from services.users.metrics import service as metrics
from services.users.metrics.models import UserActivity
from services.users.rfm import scoring
from services.users.rfm.models import RfmCuts, RfmScore
from services.users.segments import service as segments

CUTS_ID = 1
QUINTILES, OPERATOR = "quintiles", "operator"
CHUNK = 1000  # rows per upsert: well inside SQLite's bound parameters


def edges_of(row: RfmCuts) -> scoring.Edges:
    return scoring.Edges(tuple(row.recency_days), tuple(row.frequency), tuple(row.monetary))


def _values(last_paid_at: datetime, paid_orders: int, net_spend: int, at: datetime) -> tuple:
    return max(0, (at - last_paid_at).days), paid_orders, max(0, net_spend)


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


async def _upsert(session: AsyncSession, rows: list[dict]) -> None:
    table = RfmScore.__table__
    for start in range(0, len(rows), CHUNK):
        statement = insert_for(session, table).values(rows[start : start + CHUNK])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={c.name: statement.excluded[c.name] for c in table.c if c.name != "user_id"},
            )
        )


async def cuts(session: AsyncSession) -> RfmCuts | None:
    return await session.get(RfmCuts, CUTS_ID)


async def rescore(session: AsyncSession, user_id: UUID, at: datetime | None = None) -> None:
    """Score one user against the cut-offs in force, in the caller's transaction (nothing
    before the first cut-offs exist, nor for a user who never paid)."""
    at = at or now()
    row = await cuts(session)
    activity = await metrics.facts(session, user_id)
    if row is None or activity is None or activity.paid_orders == 0:
        return
    values = _values(activity.last_paid_at, activity.paid_orders, activity.net_spend, at)
    await _upsert(session, [_row(user_id, values, edges_of(row), at)])


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


async def recompute(
    session: AsyncSession,
    at: datetime | None = None,
    *,
    operator: scoring.Edges | None = None,
    basis: str | None = None,
) -> RfmCuts:
    """Recompute the cut-offs and rescore everyone who ever paid, in the caller's transaction:
    quintiles of the population unless the basis is the operator's (`operator` sets new
    ones; `basis=QUINTILES` drops them). Publishes `RfmCutsChanged` when the cut-offs move."""
    at = at or now()
    population = [
        (user_id, _values(last_paid_at, orders, spend, at))
        for user_id, last_paid_at, orders, spend in await session.execute(
            select(
                UserActivity.user_id,
                UserActivity.last_paid_at,
                UserActivity.paid_orders,
                UserActivity.net_spend,
            ).where(UserActivity.paid_orders > 0)
        )
    ]
    row, first = await _locked_cuts(session, at)
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
    await _upsert(session, [_row(user_id, values, edges, at) for user_id, values in population])
    # everyone was rescored: segments reading RFM are brought to what SQL selects now
    await segments.rematerialize(session, {"rfm.r", "rfm.f", "rfm.m"})
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
