"""Campaigns list route (operators)."""

from typing import Annotated

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.fields import Timestamp
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.analytics.campaigns import service
from services.analytics.campaigns.schemas import CampaignOut
from services.analytics.metrics.ranges import MAX_RANGE, Interval, check_range
from services.analytics.store.deps import StoreDep

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
_LIMIT = MAX_RANGE[Interval.DAY]


@router.get(
    "",
    summary="Campaigns on the calendar in a range, with what they sold there",
    description="Campaigns scheduled (from `campaigns.campaign.*` events: drafts are not "
    "published) whose window overlaps [from, to), latest start first, with their state, "
    "budget, the GMV, orders, refunds and coupon claims attributed to them in [from, to), "
    "their spend as of `to` (from `campaigns.budget.spend_changed`) and ROI, net GMV (GMV "
    "less refunds) / spend in the spend's currency (null before any spend): the console's "
    f"campaign table in one call. At most {_LIMIT.days} days (422 beyond).",
    responses=responses(401, 403, 422, 503),
)
async def list_campaigns(
    store: StoreDep,
    _: OperatorDep,
    page: PageDep,
    start: Annotated[Timestamp, Query(alias="from")],
    end: Annotated[Timestamp, Query(alias="to")],
) -> Page[CampaignOut]:
    check_range(start, end, _LIMIT, "campaign figures")
    items, next_cursor = await service.campaigns(store, start, end, page)
    return Page(items=items, next_cursor=next_cursor)
