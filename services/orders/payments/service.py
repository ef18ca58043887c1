"""Payments' operations: open a payment for an order, apply the provider's callback."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from contracts.orders import OrderPaid
from services.orders.checkout import service as orders
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.checkout.models import Order
from services.orders.payments.models import CallbackNonce, Payment, PaymentStatus
from services.orders.payments.provider import PaymentProvider
from services.orders.payments.schemas import CallbackBody, CallbackOut
from services.orders.payments.signatures import Signed
from services.orders.refunds import service as refunds
from services.orders.refunds.models import Refund


async def open_payment(
    session: AsyncSession, order_id: UUID, customer_id: UUID, provider: PaymentProvider
) -> Payment:
    """A payment of the order's total at `provider`, for an order awaiting payment."""
    order = await orders.own_order(session, order_id, customer_id, lock=True)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise Conflict(f"Only an order awaiting payment can be paid; this one is {order.status}.")
    if existing := await session.scalar(select(Payment.id).where(Payment.order_id == order.id)):
        raise Conflict(f"Order {order.id} has a payment already.", payment_id=str(existing))
    payment = Payment(id=new_id(), order_id=order.id, provider=provider.name, amount=order.total)
    hosted = await provider.create(payment.id, order.id, order.total)
    payment.page_url, payment.reference = hosted.page_url, hosted.reference
    session.add(payment)
    await session.flush()
    return payment


async def apply_callback(
    session: AsyncSession, callback: CallbackBody, signed: Signed, provider: PaymentProvider
) -> CallbackOut:
    """Apply a verified callback once: the order is paid, or, when it can no longer be (it
    was cancelled meanwhile), the payment is refunded. A callback for a payment already
    applied (the provider's retry, with a new nonce) changes nothing."""
    nonce = {"provider": provider.name, "nonce": signed.nonce, "received_at": now()}
    if not await insert_if_absent(session, CallbackNonce.__table__, **nonce):
        raise Conflict("This callback was delivered already (its nonce is spent).")
    payment = await session.scalar(
        select(Payment).where(Payment.id == callback.payment_id).with_for_update()
    )
    if payment is None or payment.order_id != callback.order_id:
        raise NotFound(f"No payment {callback.payment_id} for order {callback.order_id}.")
    if callback.amount != payment.amount:
        raise InvalidInput(
            "body.amount",
            f"is {callback.amount.amount} {callback.amount.currency} but the payment is for "
            f"{payment.amount.amount} {payment.amount.currency}",
        )
    order = await orders.locked(session, payment.order_id)
    if payment.status == PaymentStatus.SUCCEEDED:
        return await _outcome(session, payment, order)
    payment.status, payment.paid_at = PaymentStatus.SUCCEEDED, now()
    if order.status == OrderStatus.AWAITING_PAYMENT:
        await orders.advance(session, order, OrderStatus.PAID, f"paid (payment {payment.id})")
        await outbox.add(
            session,
            OrderPaid(
                order_id=order.id,
                customer_id=order.customer_id,
                lines=order.contract_lines(),
                total=order.total,
                points=order.points,
                attribution=order.attributed,
                payer_ref=provider.payer_ref(callback.payer_id) if callback.payer_id else None,
                paid_at=payment.paid_at,
            ),
        )
    else:
        # Never resurrect the order: the money goes back.
        await refunds.return_payment(session, order, payment, provider)
    await session.flush()
    return await _outcome(session, payment, order)


async def _outcome(session: AsyncSession, payment: Payment, order: Order) -> CallbackOut:
    refund_id = await session.scalar(
        select(Refund.id).where(Refund.payment_id == payment.id, Refund.automatic)
    )
    return CallbackOut(
        payment_id=payment.id, order_id=order.id, order_status=order.status, refund_id=refund_id
    )
