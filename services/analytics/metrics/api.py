"""Metrics routes (operators)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.fields import Timestamp
from chassis.http.problems import responses
from services.analytics.metrics import service
from services.analytics.metrics.dimensions import Dimension
from services.analytics.metrics.ranges import MAX_RANGE, Interval, check_range
from services.analytics.metrics.schemas import Gmv, Sales
from services.analytics.store.deps import StoreDep

router = APIRouter(prefix="/metrics", tags=["metrics"])
_LIMITS = ", ".join(f"{interval.value} {limit.days}" for interval, limit in MAX_RANGE.items())


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
    check_range(start, end, MAX_RANGE[interval], f"{interval.value} figures")
    return Gmv(interval=interval, points=await service.gmv(store, start, end, interval))
