"""Checkout and order routes: placing, reading, listing one's own, searching all (and
exporting the search as CSV), cancelling."""

from uuid import UUID

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.clock import now
from chassis.http.csv_export import csv_response, csv_responses
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, Problem, responses
from chassis.idempotency import IdempotencyDep
from chassis.pagination import Page, PageDep, fetch_page
from contracts.orders import CancelReason
from services.orders.checkout import export, lifecycle, service
from services.orders.checkout.models import Order
from services.orders.checkout.schemas import FiltersDep, OrderOut, OrderRequest, SearchDep

router = APIRouter(prefix="/orders", tags=["orders"])
ORDERS = "/api/v1/orders/orders"
NEWEST_FIRST = (Order.placed_at, Order.id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Place an order at the campaign prices running for the customer, or the catalog's "
    "(once per Idempotency-Key)",
    description="Every order is priced by campaigns' quote: each line at the campaign price "
    "running for the customer where it is below the catalog's (or the group buy's or bargain's) "
    "price, and the coupons chosen. While campaigns cannot answer, an order with coupons, or "
    "with a SKU under a campaign that could be pricing it, is refused (503 with Retry-After) and "
    "nothing is written; any other goes at the catalog's (or its deal's) price. A flash "
    "reservation (`flash_reservation_id`) is read from campaigns: the customer's own, still "
    "reserved and named by no other live order (else 409), for a line of the order in at most "
    "its quantity (else 422); its line goes at the flash price.",
    responses=responses(401, 403, 409, 422, 503),
)
async def place_order(
    request: Request,
    body: OrderRequest,
    session: SessionDep,
    customer: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Response:
    authorization = request.headers.get("authorization", "")
    campaigns = request.app.state.campaigns
    # Priced (and asked campaigns) before the key is claimed, so no transaction waits for
    # campaigns; a refusal is the command's, so a retry of an order placed already replays
    # (its bargain now taken, its SKU delisted since, campaigns away) rather than refusing.
    refused: Problem | None = None
    flash = None
    try:
        flash = await service.flash_reservation(body, campaigns, authorization)
        priced = await service.quoted(
            session, customer.user_id, body, campaigns, authorization, flash
        )
    except Problem as problem:
        refused = problem

    async def place() -> OrderOut:
        if refused is not None:
            raise refused
        order = await service.place_order(session, customer.user_id, body, priced, flash)
        return OrderOut.model_validate(order)

    return await idempotency.run(
        session,
        caller=customer.user_id,
        request=body,
        command=place,
        status_code=status.HTTP_201_CREATED,
        headers=lambda order: {"Location": f"{ORDERS}/{order.id}"},
    )


@router.get("", summary="The caller's orders, newest first", responses=responses(401, 422))
async def list_orders(
    session: SessionDep, customer: PrincipalDep, filters: FiltersDep, page: PageDep
) -> Page[OrderOut]:
    own = select(Order).where(Order.customer_id == customer.user_id)
    orders, next_cursor = await fetch_page(
        session, service.filtered(own, filters), key=NEWEST_FIRST, page=page
    )
    return Page(items=[OrderOut.model_validate(o) for o in orders], next_cursor=next_cursor)


@router.get(
    "/search",
    summary="Every customer's orders, newest first (operators)",
    responses=responses(401, 403, 422),
)
async def search_orders(
    session: SessionDep, operator: OperatorDep, search: SearchDep, page: PageDep
) -> Page[OrderOut]:
    orders, next_cursor = await fetch_page(
        session, service.searched(select(Order), search), key=NEWEST_FIRST, page=page
    )
    return Page(items=[OrderOut.model_validate(o) for o in orders], next_cursor=next_cursor)


@router.get(
    "/search/export",
    response_class=StreamingResponse,
    summary="Every order a search matches, as CSV, streamed (operators)",
    description="The filters of the search (customer, status, SKU, placed time range); every "
    "matching order, newest first, one row each, without pagination.",
    responses={**csv_responses(), **responses(401, 403, 422)},
)
async def export_orders(
    request: Request, operator: OperatorDep, search: SearchDep
) -> StreamingResponse:
    statement = service.searched(select(Order), search)
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    return csv_response(
        export.HEADER, export.rows(request.app.state.db, statement), f"orders-{stamp}.csv"
    )


@router.get(
    "/{order_id}",
    summary="One order with its history: the caller's own, or any for staff",
    responses=responses(401, 404, 422),
)
async def get_order(order_id: UUID, session: SessionDep, principal: PrincipalDep) -> OrderOut:
    if principal.is_staff:
        if (order := await session.get(Order, order_id)) is None:
            raise NotFound(f"No order {order_id}.")
    else:
        order = await service.own_order(session, order_id, principal.user_id)
    return OrderOut.model_validate(order)


@router.post(
    "/{order_id}/cancel",
    summary="Cancel one's own order before it is paid",
    responses=responses(401, 404, 409, 422),
)
async def cancel_order(order_id: UUID, session: SessionDep, customer: PrincipalDep) -> OrderOut:
    order = await service.own_order(session, order_id, customer.user_id, lock=True)
    lifecycle.check_customer_cancel(order.status)
    if not await service.cancel(
        session, order, CancelReason.CUSTOMER, None, "cancelled by the customer"
    ):
        raise service.ChangedMeanwhile(order_id)
    await session.commit()
    return OrderOut.model_validate(order)
