"""Funnel routes (operators)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.fields import Timestamp
from chassis.http.problems import responses
from services.analytics.funnels import service
from services.analytics.funnels.schemas import Funnel
from services.analytics.funnels.steps import MAX_STEPS, MAX_WINDOW, MIN_STEPS, check_steps
from services.analytics.metrics.ranges import FUNNEL_MAX_RANGE, check_range
from services.analytics.store.deps import StoreDep

router = APIRouter(prefix="/funnels", tags=["funnels"])


@router.get(
    "",
    summary="Conversion through 2 to 20 steps within a time window",
    description=f"{MIN_STEPS} to {MAX_STEPS} `step`s, each a behaviour name (`page_view`...) "
    "or an event type; a person counts at a step when they did it after every step before, "
    f"within `window` seconds of the first, in [from, to) (at most "
    f"{FUNNEL_MAX_RANGE.days} days). Signed-in and anonymous activity of one person counts "
    "once their anonymous id was linked to them.",
    responses=responses(401, 403, 422, 503),
)
async def funnel(
    store: StoreDep,
    _: OperatorDep,
    step: Annotated[list[str], Query(description="The steps, in order (repeat the parameter)")],
    window: Annotated[int, Query(ge=0, le=int(MAX_WINDOW.total_seconds()), description="Seconds")],
    start: Annotated[Timestamp, Query(alias="from")],
    end: Annotated[Timestamp, Query(alias="to")],
) -> Funnel:
    window_span = timedelta(seconds=window)
    check_steps(step, window_span, service.step_names())
    check_range(start, end, FUNNEL_MAX_RANGE, "funnels")
    steps = await service.funnel(store, step, window_span, start, end)
    return Funnel(start=start, end=end, window_s=window, steps=steps)
