"""Price routes: the regular SKU prices campaigns start from, and the prices campaigns set."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from services.campaigns.prices import campaign_prices
from services.campaigns.prices.models import SkuPrice
from services.campaigns.prices.schemas import (
    CampaignPriceOut,
    CampaignPricesRequest,
    SkuPriceOut,
)

router = APIRouter(tags=["prices"])


@router.get(
    "/prices/{product_id}",
    summary="The regular price of a SKU, as the catalog announced it",
    responses=responses(401, 403, 404, 422),
)
async def get_price(product_id: UUID, session: SessionDep, _: OperatorDep) -> SkuPriceOut:
    price = await session.get(SkuPrice, product_id)
    if price is None:
        raise NotFound(f"No price known for product {product_id}.")
    return SkuPriceOut.model_validate(price)


@router.put(
    "/campaigns/{campaign_id}/prices",
    summary="Set the campaign's SKU prices (all of them), taken by quotes while it runs",
    responses=responses(401, 403, 404, 409, 422),
)
async def set_campaign_prices(
    campaign_id: UUID, body: CampaignPricesRequest, session: SessionDep, _: OperatorDep
) -> list[CampaignPriceOut]:
    prices = await campaign_prices.set_for(session, campaign_id, body)
    return [CampaignPriceOut.model_validate(p) for p in prices]


@router.get(
    "/campaigns/{campaign_id}/prices",
    summary="The campaign's SKU prices",
    responses=responses(404, 422),
)
async def get_campaign_prices(campaign_id: UUID, session: SessionDep) -> list[CampaignPriceOut]:
    prices = await campaign_prices.of(session, campaign_id)
    return [CampaignPriceOut.model_validate(p) for p in prices]
