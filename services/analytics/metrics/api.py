"""Metrics routes (operators)."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chassis.auth.deps import OperatorDep
from chassis.http.fields import Timestamp
from chassis.http.problems import responses
from services.analytics.metrics import service
from services.analytics.metrics.dimensions import Dimension
from services.analytics.metrics.ranges import MAX_RANGE, Interval, check_range, check_stored_days
from services.analytics.metrics.rfm import HIGH, RfmGrouping
from services.analytics.metrics.schemas import Gmv, Lifecycle, Rfm, Sales
from services.analytics.store.deps import StoreDep

router = APIRouter(prefix="/metrics", tags=["metrics"])
_LIMITS = ", ".join(f"{interval.value} {limit.days}" for interval, limit in MAX_RANGE.items())


@dataclass(frozen=True)  # pragma: no mutate (frozen or not, nothing writes one)
class Days:
    start: date
    end: date


def stored_days(
    start: Annotated[date, Query(alias="from")], end: Annotated[date, Query(alias="to")]
) -> Days:
    """The `from` and `to` of a route reading a daily rollup day by day, checked."""
    check_stored_days(start, end, Interval.DAY)
    return Days(start, end)


DaysDep = Annotated[Days, Depends(stored_days)]


@router.get(
    "/sales",
    summary="GMV, orders, buyers, AOV, repurchase and refund rates by day, week or month",
    description=f"Orders paid and refunds completed in [from, to), split by channel, "
    f"category or campaign with `by`. Longest range in days: {_LIMITS} (422 beyond).",
    responses=responses(401, 403, 422, 503),
)
async def sales(
    store: StoreDep,
    _: OperatorDep,
    start: Annotated[Timestamp, Query(alias="from")],
    end: Annotated[Timestamp, Query(alias="to")],
    interval: Interval = Interval.DAY,
    by: Dimension | None = None,
) -> Sales:
    check_range(start, end, MAX_RANGE[interval], f"{interval.value} figures")
    points = await service.sales(store, start, end, interval, by)
    return Sales(interval=interval, by=by, points=points)


@router.get(
    "/gmv",
    summary="GMV, orders and refunds by day, week or month, from the daily rollup",
    description=f"The days [from, to), UTC, from the rollup the writer keeps (no raw scan: "
    f"the console's chart). Longest range in days: {_LIMITS} (422 beyond).",
    responses=responses(401, 403, 422, 503),
)
async def gmv(
    store: StoreDep,
    _: OperatorDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    interval: Interval = Interval.DAY,
) -> Gmv:
    check_stored_days(start, end, interval)
    return Gmv(interval=interval, points=await service.gmv(store, start, end, interval))


@router.get(
    "/lifecycle",
    summary="Users per lifecycle stage at the end of each day, with the day's moves",
    description=f"The days [from, to), UTC, from the lifecycle rollup the writer keeps from "
    f"`users.user.registered` and `users.lifecycle.changed`. Longest range: "
    f"{MAX_RANGE[Interval.DAY].days} days (422 beyond).",
    responses=responses(401, 403, 422, 503),
)
async def lifecycle(store: StoreDep, _: OperatorDep, days: DaysDep) -> Lifecycle:
    return Lifecycle(points=await service.lifecycle(store, days.start, days.end))


@router.get(
    "/rfm",
    summary="Users per RFM layer (or code) at the end of each day, with the day's moves",
    description=f"The days [from, to), UTC, from the RFM rollup the writer keeps from "
    f"`users.rfm.scores_changed`. `by=layer` (default): the eight layers, recency, frequency "
    f"and monetary each high at a score of {HIGH} or more (important: M high; value: R and F "
    f"high; develop: R high, F low; keep: R low, F high; retain: R and F low). `by=code`: the "
    f'raw code, e.g. "543". Longest range: {MAX_RANGE[Interval.DAY].days} days (422 beyond).',
    responses=responses(401, 403, 422, 503),
)
async def rfm(
    store: StoreDep, _: OperatorDep, days: DaysDep, by: RfmGrouping = RfmGrouping.LAYER
) -> Rfm:
    return Rfm(by=by, points=await service.rfm(store, days.start, days.end, by))
