"""After-sales routes: a customer asks for lines of their order back; operators approve or
reject, and mark returned goods received."""

from uuid import UUID

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.idempotency import IdempotencyDep
from chassis.pagination import Page, PageDep, fetch_page
from services.orders.aftersales import service
from services.orders.aftersales.models import AfterSale
from services.orders.aftersales.schemas import (
    AfterSaleFiltersDep,
    AfterSaleOut,
    AfterSaleRequest,
    Approval,
    GoodsReceived,
    Rejection,
)
from services.orders.payments.provider import ProviderDep
from services.orders.settings import SettingsDep

router = APIRouter(tags=["after-sales"])
AFTERSALES = "/api/v1/orders/aftersales"
NEWEST_FIRST = (AfterSale.requested_at, AfterSale.id)


@router.post(
    "/orders/{order_id}/aftersales",
    status_code=status.HTTP_201_CREATED,
    response_model=AfterSaleOut,
    summary="Ask for lines of one's order back: refund only, or return and refund (售后)",
    description="Within the return window of a delivered order (or before delivery). Each "
    "line's refund is its units' share of what was paid for it; a line asked back beyond "
    "its units is a 422 naming it. Once per Idempotency-Key.",
    responses=responses(401, 403, 404, 409, 422),
)
async def request_aftersale(
    order_id: UUID,
    body: AfterSaleRequest,
    session: SessionDep,
    customer: PrincipalDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def ask() -> AfterSaleOut:
        window = settings.return_window
        aftersale = await service.request(session, order_id, customer.user_id, body, window)
        return AfterSaleOut.model_validate(aftersale)

    return await idempotency.run(
        session,
        caller=customer.user_id,
        request=body,
        command=ask,
        status_code=status.HTTP_201_CREATED,
        headers=lambda out: {"Location": f"{AFTERSALES}/{out.id}"},
    )


@router.get(
    "/aftersales",
    summary="The caller's after-sales requests, newest first",
    responses=responses(401, 422),
)
async def list_own(
    session: SessionDep, customer: PrincipalDep, filters: AfterSaleFiltersDep, page: PageDep
) -> Page[AfterSaleOut]:
    own = select(AfterSale).where(AfterSale.customer_id == customer.user_id)
    rows, next_cursor = await fetch_page(
        session, service.filtered(own, filters), key=NEWEST_FIRST, page=page
    )
    return Page(items=[AfterSaleOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/aftersales/queue",
    summary="Every customer's after-sales requests, newest first (operators)",
    responses=responses(401, 403, 422),
)
async def queue(
    session: SessionDep, operator: OperatorDep, filters: AfterSaleFiltersDep, page: PageDep
) -> Page[AfterSaleOut]:
    rows, next_cursor = await fetch_page(
        session, service.filtered(select(AfterSale), filters), key=NEWEST_FIRST, page=page
    )
    return Page(items=[AfterSaleOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/aftersales/{aftersale_id}",
    summary="One after-sales request with its history: one's own, or any for staff",
    responses=responses(401, 404, 422),
)
async def get_aftersale(
    aftersale_id: UUID, session: SessionDep, principal: PrincipalDep
) -> AfterSaleOut:
    return AfterSaleOut.model_validate(await service.visible(session, aftersale_id, principal))


@router.post(
    "/aftersales/{aftersale_id}/approve",
    summary="Approve a request: a refund only is refunded now, a return waits for the goods",
    responses=responses(401, 403, 404, 409, 422),
)
async def approve(
    aftersale_id: UUID,
    body: Approval,
    session: SessionDep,
    operator: OperatorDep,
    provider: ProviderDep,
) -> AfterSaleOut:
    aftersale = await service.approve(session, aftersale_id, operator.user_id, body.note, provider)
    await session.commit()
    return AfterSaleOut.model_validate(aftersale)


@router.post(
    "/aftersales/{aftersale_id}/reject",
    summary="Reject a request with the reason the customer is shown",
    responses=responses(401, 403, 404, 409, 422),
)
async def reject(
    aftersale_id: UUID, body: Rejection, session: SessionDep, operator: OperatorDep
) -> AfterSaleOut:
    aftersale = await service.reject(session, aftersale_id, operator.user_id, body.reason)
    await session.commit()
    return AfterSaleOut.model_validate(aftersale)


@router.post(
    "/aftersales/{aftersale_id}/withdraw",
    summary="Take one's own request back before it is decided",
    responses=responses(401, 404, 409, 422),
)
async def withdraw(aftersale_id: UUID, session: SessionDep, customer: PrincipalDep) -> AfterSaleOut:
    aftersale = await service.withdraw(session, aftersale_id, customer.user_id)
    await session.commit()
    return AfterSaleOut.model_validate(aftersale)


@router.post(
    "/aftersales/{aftersale_id}/receipt",
    summary="The returned goods are back (resaleable or not): the refund goes out",
    responses=responses(401, 403, 404, 409, 422),
)
async def goods_received(
    aftersale_id: UUID,
    body: GoodsReceived,
    session: SessionDep,
    operator: OperatorDep,
    provider: ProviderDep,
) -> AfterSaleOut:
    aftersale = await service.receive(
        session, aftersale_id, operator.user_id, body.resaleable, body.note, provider
    )
    await session.commit()
    return AfterSaleOut.model_validate(aftersale)
