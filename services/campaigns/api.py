"""Campaigns routes: scheduling and reading campaigns, the SKU prices they start from."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep
from chassis.events import outbox
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from contracts.campaigns import CampaignScheduled
from services.campaigns.models import Campaign, SkuPrice
from services.campaigns.schemas import CampaignOut, CampaignPlan, ScheduledCampaign, SkuPriceOut

campaigns = APIRouter(prefix="/campaigns", tags=["campaigns"])
prices = APIRouter(prefix="/prices", tags=["prices"])


@campaigns.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Put a campaign on the calendar",
    responses=responses(401, 403, 422),
)
async def schedule_campaign(
    body: CampaignPlan, session: SessionDep, by: OperatorDep
) -> ScheduledCampaign:
    campaign = Campaign(
        name=body.name,
        kind=body.kind,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        budget=body.budget,
        created_by=by.user_id,
    )
    session.add(campaign)
    await session.flush()
    await outbox.add(
        session,
        CampaignScheduled(
            campaign_id=campaign.id,
            name=campaign.name,
            kind=campaign.kind,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            budget=body.budget,
            scheduled_by=by.user_id,
        ),
    )
    await session.commit()
    return ScheduledCampaign.model_validate(campaign)


@campaigns.get("/{campaign_id}", summary="A campaign", responses=responses(404, 422))
async def get_campaign(campaign_id: UUID, session: SessionDep) -> CampaignOut:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"No campaign {campaign_id}.")
    return CampaignOut.model_validate(campaign)


@prices.get(
    "/{product_id}",
    summary="The regular price of a SKU, as the catalog announced it",
    responses=responses(401, 403, 404, 422),
)
async def get_price(product_id: UUID, session: SessionDep, _: OperatorDep) -> SkuPriceOut:
    price = await session.get(SkuPrice, product_id)
    if price is None:
        raise NotFound(f"No price known for product {product_id}.")
    return SkuPriceOut.model_validate(price)
