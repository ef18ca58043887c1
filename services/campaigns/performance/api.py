"""Performance routes: what a campaign brought in for what it spent."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.money import Money
from services.campaigns.calendar import service as calendar
from services.campaigns.performance import service
from services.campaigns.performance.schemas import PerformanceOut

router = APIRouter(prefix="/campaigns", tags=["performance"])


@router.get(
    "/{campaign_id}/performance",
    summary="Reach, claims, redemptions, attributed orders, GMV and refunds, spend and ROI",
    responses=responses(401, 403, 404, 422),
)
async def get_performance(campaign_id: UUID, session: SessionDep, _: OperatorDep) -> PerformanceOut:
    await calendar.get(session, campaign_id)
    found = await service.of(session, campaign_id)

    def money(amount: int) -> Money | None:
        return Money(amount=amount, currency=found.currency) if found.currency else None

    return PerformanceOut(
        campaign_id=campaign_id,
        reach=found.reach,
        claims=found.claims,
        redemptions=found.redemptions,
        orders=found.orders,
        gmv=money(found.gmv),
        refunded=money(found.refunded),
        net_gmv=money(found.net_gmv),
        spend=money(found.spend),
        roi=found.roi,
    )
