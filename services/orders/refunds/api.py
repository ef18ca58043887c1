"""Refund routes: an operator's refund of a paid order (full or per line); an order's refunds."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from chassis.idempotency import IdempotencyDep
from services.orders.checkout import service as orders
from services.orders.checkout.models import Order
from services.orders.payments.provider import ProviderDep
from services.orders.refunds import service
from services.orders.refunds.schemas import RefundOut, RefundRequest

router = APIRouter(prefix="/orders/{order_id}/refunds", tags=["refunds"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RefundOut,
    summary="Refund a paid order without a return: full, or per line (operators)",
    description="Each line at most what remains of what was paid for it (a 422 naming the "
    "line otherwise); RefundCompleted tells users and analytics. Once per Idempotency-Key.",
    responses=responses(401, 403, 404, 409, 422),
)
async def refund_order(
    order_id: UUID,
    body: RefundRequest,
    session: SessionDep,
    operator: OperatorDep,
    provider: ProviderDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def refund() -> RefundOut:
        given = await service.refund_by_operator(
            session, order_id, body, operator.user_id, provider
        )
        return RefundOut.model_validate(given)

    return await idempotency.run(
        session,
        caller=operator.user_id,
        request=body,
        command=refund,
        status_code=status.HTTP_201_CREATED,
    )


@router.get(
    "",
    summary="An order's refunds, oldest first: one's own order's, or any for staff",
    responses=responses(401, 404, 422),
)
async def list_refunds(
    order_id: UUID, session: SessionDep, principal: PrincipalDep
) -> list[RefundOut]:
    if principal.is_staff:
        if await session.get(Order, order_id) is None:
            raise NotFound(f"No order {order_id}.")
    else:
        await orders.own_order(session, order_id, principal.user_id)
    return [RefundOut.model_validate(r) for r in await service.of_order(session, order_id)]
