"""Cohort routes (operators)."""

from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.problems import responses
from services.analytics.cohorts import service
from services.analytics.cohorts.retention import MAX_WEEKS, check_weeks, monday
from services.analytics.cohorts.schemas import Cohorts
from services.analytics.metrics.ranges import COHORT_MAX_RANGE, check_range
from services.analytics.store.deps import StoreDep

router = APIRouter(prefix="/cohorts", tags=["cohorts"])


@router.get(
    "",
    summary="Weekly retention cohorts by the week of the first paid order",
    description="Cohorts whose first week lies in [from, to) (`from` counts from its "
    f"Monday; at most {COHORT_MAX_RANGE.days} days), each followed `weeks` weeks "
    f"(1 to {MAX_WEEKS}).",
    responses=responses(401, 403, 422, 503),
)
async def cohorts(
    store: StoreDep,
    _: OperatorDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    weeks: int = 8,
) -> Cohorts:
    check_weeks(weeks)
    first_week = monday(start)
    check_range(_at(first_week), _at(end), COHORT_MAX_RANGE, "cohorts")
    return Cohorts(weeks=weeks, cohorts=await service.cohorts(store, first_week, end, weeks))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)
