"""Payment routes: open a payment for one's order; the provider's signed callback."""

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from chassis.auth.deps import PrincipalDep
from chassis.clock import now
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.idempotency import IdempotencyDep
from services.orders.payments import service
from services.orders.payments.provider import ProviderDep
from services.orders.payments.schemas import (
    CallbackBody,
    CallbackOut,
    PaymentOut,
    PaymentRequest,
)

router = APIRouter(tags=["payments"])


@router.post(
    "/orders/{order_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentOut,
    summary="Open the payment of one's order awaiting payment: the provider's page to pay on",
    responses=responses(401, 404, 409, 422),
)
async def open_payment(
    order_id: UUID,
    body: PaymentRequest,
    session: SessionDep,
    customer: PrincipalDep,
    provider: ProviderDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def open_() -> PaymentOut:
        payment = await service.open_payment(session, order_id, customer.user_id, provider)
        return PaymentOut.model_validate(payment)

    return await idempotency.run(
        session,
        caller=customer.user_id,
        request=body,
        command=open_,
        status_code=status.HTTP_201_CREATED,
    )


@router.post(
    "/payments/callback",
    summary="The provider's callback, signed (HMAC over timestamp, nonce and body)",
    description="No token: the signature is the credential. Replayed nonces (409), stale or "
    "forged signatures (401) and amounts that are not the payment's (422) are refused.",
    responses=responses(401, 404, 409, 422),
)
async def payment_callback(
    body: CallbackBody, request: Request, session: SessionDep, provider: ProviderDep
) -> CallbackOut:
    signed = provider.verify(await request.body(), request.headers, now())
    outcome = await service.apply_callback(session, body, signed, provider)
    await session.commit()
    return outcome
