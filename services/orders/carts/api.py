"""Cart routes: the signed-in customer's own cart (there is no cart id to guess)."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.orders.carts import service
from services.orders.carts.schemas import CartItemRequest, CartOut

router = APIRouter(prefix="/carts/me", tags=["carts"])


@router.get("", summary="One's cart, priced at today's prices", responses=responses(401))
async def get_cart(session: SessionDep, customer: PrincipalDep) -> CartOut:
    return await service.cart(session, customer.user_id)


@router.put(
    "/items/{sku_id}",
    summary="Put a SKU in one's cart, or change its quantity",
    responses=responses(401, 403, 422),
)
async def put_item(
    sku_id: UUID, body: CartItemRequest, session: SessionDep, customer: PrincipalDep
) -> CartOut:
    await service.put_item(session, customer.user_id, sku_id, body.quantity)
    await session.commit()
    return await service.cart(session, customer.user_id)


@router.delete(
    "/items/{sku_id}",
    summary="Take a SKU out of one's cart",
    responses=responses(401, 404, 422),
)
async def remove_item(sku_id: UUID, session: SessionDep, customer: PrincipalDep) -> CartOut:
    await service.remove_item(session, customer.user_id, sku_id)
    await session.commit()
    return await service.cart(session, customer.user_id)
