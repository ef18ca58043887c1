"""Orders routes: placing an order, reading one, listing the caller's own."""

from uuid import UUID

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from chassis.idempotency import IdempotencyDep
from chassis.pagination import Page, PageDep, fetch_page
from services.orders import checkout
from services.orders.models import Order
from services.orders.schemas import OrderOut, OrderRequest

router = APIRouter(prefix="/orders", tags=["orders"])
ORDERS = "/api/v1/orders/orders"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Place an order at the catalog's prices (once per Idempotency-Key)",
    responses=responses(401, 422),
)
async def place_order(
    body: OrderRequest,
    session: SessionDep,
    customer: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def place() -> OrderOut:
        return OrderOut.model_validate(await checkout.place_order(session, customer.user_id, body))

    return await idempotency.run(
        session,
        caller=customer.user_id,
        request=body,
        command=place,
        status_code=status.HTTP_201_CREATED,
        headers=lambda order: {"Location": f"{ORDERS}/{order.id}"},
    )


@router.get("", summary="The caller's orders, newest first", responses=responses(401, 422))
async def list_orders(session: SessionDep, customer: PrincipalDep, page: PageDep) -> Page[OrderOut]:
    orders, next_cursor = await fetch_page(
        session,
        select(Order).where(Order.customer_id == customer.user_id),
        key=(Order.placed_at, Order.id),
        page=page,
    )
    return Page(items=[OrderOut.model_validate(o) for o in orders], next_cursor=next_cursor)


@router.get(
    "/{order_id}",
    summary="One order: the caller's own, or any for staff",
    responses=responses(401, 404, 422),
)
async def get_order(order_id: UUID, session: SessionDep, principal: PrincipalDep) -> OrderOut:
    order = await session.get(Order, order_id)
    # Another customer's order is "not found": an id reveals nothing about who owns it.
    if order is None or not (principal.is_staff or order.customer_id == principal.user_id):
        raise NotFound(f"No order {order_id}.")
    return OrderOut.model_validate(order)
