"""Price routes: the regular SKU prices campaigns start from."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from services.campaigns.prices.models import SkuPrice
from services.campaigns.prices.schemas import SkuPriceOut

router = APIRouter(prefix="/prices", tags=["prices"])


@router.get(
    "/{product_id}",
    summary="The regular price of a SKU, as the catalog announced it",
    responses=responses(401, 403, 404, 422),
)
async def get_price(product_id: UUID, session: SessionDep, _: OperatorDep) -> SkuPriceOut:
    price = await session.get(SkuPrice, product_id)
    if price is None:
        raise NotFound(f"No price known for product {product_id}.")
    return SkuPriceOut.model_validate(price)
