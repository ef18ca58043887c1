"""Cart routes: the signed-in customer's own cart (there is no cart id to guess)."""

from uuid import UUID

from fastapi import APIRouter, Request

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.orders.carts import service
from services.orders.carts.schemas import CartItemRequest, CartOut

router = APIRouter(prefix="/carts/me", tags=["carts"])


@router.get(
    "",
    summary="One's cart, at the prices checkout would charge now",
    description="Each line at its list price and at campaigns' quote without coupons (a "
    "running campaign's price, with its campaign, when lower), and the total at those prices. "
    "When campaigns cannot answer, the list prices with `prices_confirmed: false`.",
    responses=responses(401),
)
async def get_cart(request: Request, session: SessionDep, customer: PrincipalDep) -> CartOut:
    return await _quoted(request, session, customer.user_id)


async def _quoted(request: Request, session: SessionDep, customer_id: UUID) -> CartOut:
    authorization = request.headers.get("authorization", "")
    return await service.quoted_cart(
        session, customer_id, request.app.state.campaigns, authorization
    )


@router.put(
    "/items/{sku_id}",
    summary="Put a SKU in one's cart, or change its quantity",
    responses=responses(401, 403, 422),
)
async def put_item(
    request: Request,
    sku_id: UUID,
    body: CartItemRequest,
    session: SessionDep,
    customer: PrincipalDep,
) -> CartOut:
    await service.put_item(session, customer.user_id, sku_id, body.quantity)
    await session.commit()
    return await _quoted(request, session, customer.user_id)


@router.delete(
    "/items/{sku_id}",
    summary="Take a SKU out of one's cart",
    responses=responses(401, 404, 422),
)
async def remove_item(
    request: Request, sku_id: UUID, session: SessionDep, customer: PrincipalDep
) -> CartOut:
    await service.remove_item(session, customer.user_id, sku_id)
    await session.commit()
    return await _quoted(request, session, customer.user_id)
