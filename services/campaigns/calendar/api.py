"""Calendar routes: operators plan, check, schedule and cancel campaigns; anyone reads them."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.campaigns.calendar import service
from services.campaigns.calendar.schemas import (
    CampaignOut,
    CampaignPlan,
    CancelRequest,
    ConflictOut,
    ScheduleRequest,
    StaffCampaign,
)

router = APIRouter(prefix="/campaigns", tags=["calendar"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Plan a campaign (a draft until scheduled)",
    responses=responses(401, 403, 422),
)
async def plan_campaign(body: CampaignPlan, session: SessionDep, by: OperatorDep) -> StaffCampaign:
    return StaffCampaign.model_validate(await service.plan(session, body, by.user_id))


@router.get("/{campaign_id}", summary="A campaign", responses=responses(404, 422))
async def get_campaign(campaign_id: UUID, session: SessionDep) -> CampaignOut:
    return CampaignOut.model_validate(await service.get(session, campaign_id))


@router.get(
    "/{campaign_id}/staff",
    summary="A campaign with its budget, targeting and reasons",
    responses=responses(401, 403, 404, 422),
)
async def get_staff_campaign(
    campaign_id: UUID, session: SessionDep, _: OperatorDep
) -> StaffCampaign:
    return StaffCampaign.model_validate(await service.get(session, campaign_id))


@router.get(
    "/{campaign_id}/conflicts",
    summary="Campaigns on the calendar overlapping this one on the same SKUs or segments",
    responses=responses(401, 403, 404, 422),
)
async def get_conflicts(
    campaign_id: UUID, session: SessionDep, _: OperatorDep
) -> list[ConflictOut]:
    campaign = await service.get(session, campaign_id)
    return [ConflictOut.model_validate(c) for c in await service.conflicts_of(session, campaign)]


@router.post(
    "/{campaign_id}/schedule",
    summary="Put a draft on the calendar; conflicts are a 409 unless a reason is given",
    responses=responses(401, 403, 404, 409, 422),
)
async def schedule_campaign(
    campaign_id: UUID, body: ScheduleRequest, session: SessionDep, by: OperatorDep
) -> StaffCampaign:
    campaign = await service.schedule(session, campaign_id, by.user_id, body.override_reason)
    return StaffCampaign.model_validate(campaign)


@router.post(
    "/{campaign_id}/cancel",
    summary="Call a campaign off before it ends",
    responses=responses(401, 403, 404, 409, 422),
)
async def cancel_campaign(
    campaign_id: UUID, body: CancelRequest, session: SessionDep, by: OperatorDep
) -> StaffCampaign:
    campaign = await service.cancel(session, campaign_id, by.user_id, body.reason)
    return StaffCampaign.model_validate(campaign)
